using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>
/// A named setting of the whole workbench: the model and the training config that go with it, and the shipped
/// single-frame model that can start it (null where none is shipped). Looked up in <see cref="Presets"/>.
/// </summary>
public sealed record Preset(string Name, string Description, ModelConfig Model, TrainConfig Train, string? ShippedModelDirectory);
