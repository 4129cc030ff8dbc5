using Dsa.Nn;

namespace Dsa.Training;

/// <summary>Scores a model on validation videos (the trainer calls it every ValidateEvery epochs).</summary>
public interface IValidator
{
    /// <summary>Returns the validation mAP in percent (poseval's Total).</summary>
    double Validate(DsaNet model, int epoch, CancellationToken cancellation);
}
