using System.Reflection;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Dsa.Interactive;
using Dsa.Notebooks;
using Microsoft.CodeAnalysis.CSharp;
using NetMQ;
using NetMQ.Sockets;

namespace Dsa.Kernel;

/// <summary>
/// A live Jupyter kernel (messaging protocol 5.3) in front of the notebook engine: one
/// <see cref="NotebookSession"/> per kernel process, so a notebook runs live exactly as the headless
/// runner runs it (same formatters, same <c>#r</c> handling, same script state semantics).
/// </summary>
/// <remarks>
/// Threads: NetMQ sockets are not thread-safe, so all five live on one poller thread, which only
/// moves bytes: received requests are verified and queued, and everything sent goes through one
/// queue the poller drains. Shell requests are served one at a time by the shell worker (a cell runs
/// there); control requests by their own worker, so interrupt and shutdown are answered while a cell
/// runs. Every request is bracketed by status busy / idle on IOPub with the request as parent.
/// </remarks>
public sealed class JupyterKernel
{
    private static readonly string Version = typeof(JupyterKernel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private readonly KernelConnection connection;
    private readonly MessageSigner signer;
    private readonly IProgress<string> log;
    private readonly NotebookSession notebook;
    private readonly string session = Guid.NewGuid().ToString();
    private readonly Channel<JupyterMessage> shellRequests = Channel.CreateUnbounded<JupyterMessage>(new() { SingleReader = true });
    private readonly Channel<JupyterMessage> controlRequests = Channel.CreateUnbounded<JupyterMessage>(new() { SingleReader = true });
    private readonly NetMQQueue<Outgoing> outgoing = new();
    private readonly CancellationTokenSource shutdown = new();
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile CancellationTokenSource? runningCell; // set by the shell worker, cancelled by the control worker or SIGINT
    private readonly ReplayGuard replays = new();

    /// <param name="workingDirectory">The notebook's folder (Jupyter starts kernels there): the cells' NotebookDirectory.</param>
    /// <param name="log">Kernel log lines (Jupyter shows a kernel's stderr in its server log): rejected messages, unsupported requests.</param>
    public JupyterKernel(KernelConnection connection, string workingDirectory, IProgress<string> log)
    {
        this.connection = connection;
        this.log = log;
        signer = new MessageSigner(connection.Key, connection.SignatureScheme);
        notebook = new NotebookSession(workingDirectory);
    }

    private enum Socket { Shell, Control, Iopub }

    private sealed record Outgoing(Socket Socket, JupyterMessage? Message);

    /// <summary>Serves until a shutdown_request arrives or <paramref name="cancellation"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellation = default)
    {
        using var shell = Bound(new RouterSocket(), connection.ShellPort);
        using var control = Bound(new RouterSocket(), connection.ControlPort);
        using var stdin = Bound(new RouterSocket(), connection.StdinPort);
        using var iopub = Bound(new PublisherSocket(), connection.IopubPort);
        using var heartbeat = Bound(new ResponseSocket(), connection.HeartbeatPort);
        shell.ReceiveReady += (_, e) => Receive(e.Socket, "shell", shellRequests.Writer);
        control.ReceiveReady += (_, e) => Receive(e.Socket, "control", controlRequests.Writer);
        // allow_stdin is always false in our replies' world: input_request is never sent, so nothing
        // legitimate arrives here; the socket is bound because front ends connect to it.
        stdin.ReceiveReady += (_, e) =>
        {
            e.Socket.ReceiveMultipartBytes();
            log.Report("stdin: ignored a message (the DSA kernel does not request input)");
        };
        // Heartbeat: echo whatever arrives, so the front end knows the process is alive.
        heartbeat.ReceiveReady += (_, e) => e.Socket.SendMultipartBytes(e.Socket.ReceiveMultipartBytes());
        using var poller = new NetMQPoller { shell, control, stdin, iopub, heartbeat, outgoing };
        outgoing.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var item, TimeSpan.Zero))
            {
                if (item.Message is null)
                {
                    // Everything queued before the stop marker has been handed to the sockets (they linger to deliver it).
                    poller.StopAsync();
                    drained.TrySetResult();
                    return;
                }
                NetMQSocket target = item.Socket switch { Socket.Shell => shell, Socket.Control => control, _ => iopub };
                target.SendMultipartBytes(item.Message.ToFrames(signer));
            }
        };
        poller.RunAsync("jupyter-kernel-io");
        log.Report($"DSA C# kernel listening on {connection.Ip} (shell {connection.ShellPort}, iopub {connection.IopubPort}, control {connection.ControlPort}, hb {connection.HeartbeatPort})");
        Broadcast("status", new JsonObject { ["execution_state"] = "starting" }, null);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, shutdown.Token);
        var workers = Task.WhenAll(
            ServeAsync(shellRequests.Reader, Socket.Shell, stop.Token),
            ServeAsync(controlRequests.Reader, Socket.Control, stop.Token));
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        Interrupt();
        outgoing.Enqueue(new Outgoing(Socket.Iopub, null));
        await Task.WhenAny(drained.Task, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
        // The shell worker may still be inside a cell abandoned by the interrupt above; it holds no socket.
        await Task.WhenAny(workers, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
    }

    /// <summary>Interrupts the running cell, if any (interrupt_request, or SIGINT routed here by the host).</summary>
    public void Interrupt()
    {
        try
        {
            runningCell?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The cell finished between reading the field and cancelling: nothing to interrupt.
        }
    }

    private T Bound<T>(T socket, int port) where T : NetMQSocket
    {
        // Give queued replies (a shutdown_reply) a moment to leave when the socket closes.
        socket.Options.Linger = TimeSpan.FromSeconds(1);
        socket.Bind(connection.Endpoint(port));
        return socket;
    }

    private void Receive(NetMQSocket socket, string channel, ChannelWriter<JupyterMessage> requests)
    {
        var frames = socket.ReceiveMultipartBytes();
        try
        {
            var message = JupyterMessage.Parse(frames, signer, channel);
            if (!replays.IsNew(message))
                throw new InvalidDataException($"{channel} message: a replay of {message.MessageType} {message.MessageId}, which was received before; the message was dropped.");
            requests.TryWrite(message);
        }
        catch (InvalidDataException e)
        {
            // A bad signature or a malformed message is never executed; the log says why it was dropped.
            log.Report($"rejected: {e.Message}");
        }
    }

    private async Task ServeAsync(ChannelReader<JupyterMessage> requests, Socket socket, CancellationToken stop)
    {
        try
        {
            await foreach (var request in requests.ReadAllAsync(stop).ConfigureAwait(false))
                await HandleAsync(request, socket, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(JupyterMessage request, Socket socket, CancellationToken stop)
    {
        Broadcast("status", new JsonObject { ["execution_state"] = "busy" }, request);
        try
        {
            await DispatchAsync(request, socket, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // One failing request must not take the kernel down: answer it with an error reply.
            log.Report($"{request.MessageType} failed: {e}");
            Reply(request, socket, ReplyType(request), new JsonObject
            {
                ["status"] = "error", ["ename"] = e.GetType().Name, ["evalue"] = e.Message, ["traceback"] = new JsonArray(),
            });
        }
        finally
        {
            Broadcast("status", new JsonObject { ["execution_state"] = "idle" }, request);
        }
    }

    private async Task DispatchAsync(JupyterMessage request, Socket socket, CancellationToken stop)
    {
        var content = request.Content;
        switch (request.MessageType)
        {
            case "kernel_info_request":
                Reply(request, socket, "kernel_info_reply", KernelInfo());
                break;
            case "execute_request":
                await ExecuteAsync(request, stop).ConfigureAwait(false);
                break;
            case "is_complete_request":
                var (status, indent) = CodeCompletion.IsComplete((string?)content["code"] ?? "");
                var isComplete = new JsonObject { ["status"] = status };
                if (status == "incomplete") isComplete["indent"] = indent;
                Reply(request, socket, "is_complete_reply", isComplete);
                break;
            case "complete_request":
                var (matches, start, end) = CodeCompletion.Complete(notebook, (string?)content["code"] ?? "", (int?)content["cursor_pos"] ?? 0);
                Reply(request, socket, "complete_reply", new JsonObject
                {
                    ["status"] = "ok", ["matches"] = new JsonArray(matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                    ["cursor_start"] = start, ["cursor_end"] = end, ["metadata"] = new JsonObject(),
                });
                break;
            case "inspect_request":
                string? text = SymbolInspection.Inspect(notebook, (string?)content["code"] ?? "", (int?)content["cursor_pos"] ?? 0);
                Reply(request, socket, "inspect_reply", new JsonObject
                {
                    ["status"] = "ok", ["found"] = text is not null,
                    ["data"] = text is null ? new JsonObject() : new JsonObject { [DsaFormatters.PlainText] = text },
                    ["metadata"] = new JsonObject(),
                });
                break;
            case "interrupt_request":
                Interrupt();
                Reply(request, socket, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                // The kernel process ends either way: with restart=true the front end (jupyter_client's
                // KernelManager.restart_kernel) waits for this process to exit and starts a fresh one,
                // which is what resets the session (a fresh script state, execution count 1).
                bool restart = (bool?)content["restart"] ?? false;
                Reply(request, socket, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                log.Report(restart ? "shutdown requested (restart: the front end starts a new kernel process)" : "shutdown requested");
                shutdown.Cancel();
                break;
            case "comm_info_request":
                Reply(request, socket, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "history_request":
                Reply(request, socket, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                break;
            default:
                // comm_open / comm_msg (widgets) and anything newer: nothing here handles them.
                log.Report($"{(socket == Socket.Shell ? "shell" : "control")}: unsupported message type '{request.MessageType}', ignored");
                break;
        }
    }

    private async Task ExecuteAsync(JupyterMessage request, CancellationToken stop)
    {
        var content = request.Content;
        string code = (string?)content["code"] ?? "";
        // silent: no broadcasts and no execute_result, and (like store_history=false) no new execution count.
        bool silent = (bool?)content["silent"] ?? false;
        bool storeHistory = !silent && ((bool?)content["store_history"] ?? true);
        bool stopOnError = (bool?)content["stop_on_error"] ?? true;
        if (!silent)
            Broadcast("execute_input", new JsonObject
            {
                ["code"] = code, ["execution_count"] = notebook.ExecutionCount + (storeHistory ? 1 : 0),
            }, request);
        var sink = new IopubOutputSink(silent ? (_, _) => { } : (type, output) => Broadcast(type, output, request));
        using var cell = CancellationTokenSource.CreateLinkedTokenSource(stop);
        runningCell = cell;
        CellExecution execution;
        try
        {
            execution = await notebook.ExecuteAsync(code, sink, cell.Token, storeHistory).ConfigureAwait(false);
        }
        finally
        {
            runningCell = null;
        }
        JsonObject reply;
        if (execution.Succeeded)
        {
            reply = new JsonObject { ["status"] = "ok", ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray() };
        }
        else
        {
            reply = sink.LastError is { } error ? IopubOutputSink.ErrorContent(error) : new JsonObject { ["ename"] = "Error", ["evalue"] = "", ["traceback"] = new JsonArray() };
            reply["status"] = "error";
        }
        reply["execution_count"] = execution.ExecutionCount;
        Reply(request, Socket.Shell, "execute_reply", reply);
        if (!execution.Succeeded && stopOnError) await AbortQueuedExecutionsAsync(stop).ConfigureAwait(false);
    }

    /// <summary>
    /// After a failing cell with stop_on_error, execute requests already queued behind it ("run all")
    /// are answered "aborted" without running, as ipykernel does; other queued requests are served.
    /// </summary>
    private async Task AbortQueuedExecutionsAsync(CancellationToken stop)
    {
        var queued = new List<JupyterMessage>();
        while (shellRequests.Reader.TryRead(out var request)) queued.Add(request);
        foreach (var request in queued)
        {
            if (request.MessageType != "execute_request")
            {
                await HandleAsync(request, Socket.Shell, stop).ConfigureAwait(false);
                continue;
            }
            Broadcast("status", new JsonObject { ["execution_state"] = "busy" }, request);
            Reply(request, Socket.Shell, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = notebook.ExecutionCount });
            Broadcast("status", new JsonObject { ["execution_state"] = "idle" }, request);
        }
    }

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "dsa-csharp",
        ["implementation_version"] = Version,
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = LanguageVersionFacts.MapSpecifiedToEffectiveVersion(LanguageVersion.Latest).ToDisplayString(),
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "C# (DSA): the DSA notebook engine (Roslyn scripting with Dsa, TorchSharp, SkiaSharp, Plotly.NET, Microsoft.Data.Analysis).",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    private static string ReplyType(JupyterMessage request) =>
        request.MessageType.EndsWith("_request", StringComparison.Ordinal) ? request.MessageType[..^"_request".Length] + "_reply" : request.MessageType + "_reply";

    private void Reply(JupyterMessage request, Socket socket, string type, JsonObject content) =>
        outgoing.Enqueue(new Outgoing(socket, JupyterMessage.Create(type, content, request, session, request.Identities)));

    // IOPub's first frame is the subscription topic; front ends subscribe to everything.
    private void Broadcast(string type, JsonObject content, JupyterMessage? parent) =>
        outgoing.Enqueue(new Outgoing(Socket.Iopub, JupyterMessage.Create(type, content, parent, session, [System.Text.Encoding.ASCII.GetBytes($"kernel.{session}.{type}")])));
}
