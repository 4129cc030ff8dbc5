namespace Dsa.Interactive;

/// <summary>
/// One message a cell emits while it runs, shaped like the Jupyter messaging protocol's IOPub
/// content (stream, display_data, update_display_data, execute_result, error, clear_output), so the
/// same execution engine can feed a headless notebook writer and a live Jupyter kernel.
/// </summary>
public abstract record NotebookOutput;
