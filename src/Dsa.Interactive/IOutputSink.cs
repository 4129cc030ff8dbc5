namespace Dsa.Interactive;

/// <summary>
/// Receives a cell's outputs in the order they happen. The headless runner records them into the
/// .ipynb; a Jupyter kernel front end would publish them on IOPub. Implementations must accept calls
/// from any thread (cells may print from worker threads); the engine serialises its own calls.
/// </summary>
public interface IOutputSink
{
    void Publish(NotebookOutput output);
}
