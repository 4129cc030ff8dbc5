namespace Dsa.Data;

/// <summary>A finite, indexable set of samples (torch.utils.data.Dataset's map-style contract).</summary>
public interface IDataset<out TSample>
{
    int Count { get; }
    TSample this[int index] { get; }
}
