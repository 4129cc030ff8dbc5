using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dsa.Kernel;
using Dsa.Tests.Infrastructure;
using NetMQ;
using NetMQ.Sockets;

namespace Dsa.Tests.Kernel;

/// <summary>A message whose HMAC does not match, or a replay of one already received, is dropped and logged, never executed; the connection file must name a loopback address.</summary>
public sealed class KernelSignatureTests
{
    private const string Key = "a2f1c0de-test-key";

    private sealed class Log : IProgress<string>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void Report(string value) => Lines.Enqueue(value);
    }

    [Fact]
    public async Task MessageWithABadSignatureOrAReplayIsRejectedAndLoggedWhileASignedOneRuns()
    {
        using var folder = new TempDir();
        var ports = FreeLoopbackPorts(5);
        string connectionFile = Path.Combine(folder.Path, "kernel.json");
        File.WriteAllText(connectionFile, new JsonObject
        {
            ["transport"] = "tcp", ["ip"] = "127.0.0.1", ["shell_port"] = ports[0], ["iopub_port"] = ports[1], ["stdin_port"] = ports[2],
            ["control_port"] = ports[3], ["hb_port"] = ports[4], ["key"] = Key, ["signature_scheme"] = "hmac-sha256",
        }.ToJsonString());
        var log = new Log();
        var kernel = new JupyterKernel(KernelConnection.Read(connectionFile), folder.Path, log);
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => kernel.RunAsync(stop.Token));
        string marker = Path.Combine(folder.Path, "executed.txt");
        string code = $"System.IO.File.WriteAllText(@\"{marker}\", \"ran\");";
        var signer = new MessageSigner(Key, "hmac-sha256");
        try
        {
            using var shell = new DealerSocket();
            shell.Connect($"tcp://127.0.0.1:{ports[0]}");

            var forged = Request("execute_request", new JsonObject { ["code"] = code, ["silent"] = false }).ToFrames(signer);
            forged[1] = Encoding.ASCII.GetBytes(new string('0', 64)); // [delimiter, signature, ...]: a wrong HMAC
            shell.SendMultipartBytes(forged);
            // A signed request behind it: once its reply is here, the forged one has been dealt with.
            shell.SendMultipartBytes(Request("kernel_info_request", new JsonObject()).ToFrames(signer));
            Assert.Equal("kernel_info_reply", ReceiveReply(shell, signer).MessageType);
            Assert.False(File.Exists(marker), "the message with a bad signature was executed");
            Assert.Contains(log.Lines, l => l.Contains("shell message: invalid signature", StringComparison.Ordinal));

            // The same request, correctly signed, does run: the test above could fail.
            shell.SendMultipartBytes(Request("execute_request", new JsonObject { ["code"] = code, ["silent"] = false }).ToFrames(signer));
            var reply = ReceiveReply(shell, signer);
            Assert.Equal("execute_reply", reply.MessageType);
            Assert.Equal("ok", (string?)reply.Content["status"]);
            Assert.True(File.Exists(marker));

            // Replayed: the very same signed frames again. The kernel drops it (ipykernel's digest history).
            File.Delete(marker);
            var original = Request("execute_request", new JsonObject { ["code"] = code, ["silent"] = false }).ToFrames(signer);
            shell.SendMultipartBytes(original);
            Assert.Equal("execute_reply", ReceiveReply(shell, signer).MessageType);
            Assert.True(File.Exists(marker));
            File.Delete(marker);
            shell.SendMultipartBytes(original);
            shell.SendMultipartBytes(Request("kernel_info_request", new JsonObject()).ToFrames(signer));
            Assert.Equal("kernel_info_reply", ReceiveReply(shell, signer).MessageType);
            Assert.False(File.Exists(marker), "the replayed message was executed a second time");
            Assert.Contains(log.Lines, l => l.Contains("shell message: a replay of execute_request", StringComparison.Ordinal));
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.20")]
    public void NonLoopbackAddressInTheConnectionFileIsRefused(string ip)
    {
        using var folder = new TempDir();
        string file = Path.Combine(folder.Path, "kernel.json");
        File.WriteAllText(file, $$"""{"ip": "{{ip}}", "transport": "tcp", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "", "signature_scheme": "hmac-sha256"}""");
        var error = Assert.Throws<InvalidDataException>(() => KernelConnection.Read(file));
        Assert.Contains("loopback only", error.Message);
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public void TheReplayGuardKnowsMessagesBySignatureOrOnUnsignedConnectionsBySessionAndId()
    {
        var signed = new MessageSigner(Key, "hmac-sha256");
        var guard = new ReplayGuard();
        var first = JupyterMessage.Parse(Request("execute_request", new JsonObject { ["code"] = "1" }).ToFrames(signed), signed, "shell");
        var other = JupyterMessage.Parse(Request("execute_request", new JsonObject { ["code"] = "1" }).ToFrames(signed), signed, "shell");
        Assert.True(guard.IsNew(first));
        Assert.True(guard.IsNew(other)); // same content, new msg_id and date: a different signature
        Assert.False(guard.IsNew(first));

        var unsigned = new MessageSigner("", "hmac-sha256");
        var plain = JupyterMessage.Parse(Request("kernel_info_request", new JsonObject()).ToFrames(unsigned), unsigned, "shell");
        Assert.True(guard.IsNew(plain));
        Assert.False(guard.IsNew(plain));
    }

    [Fact]
    public void UnsignedConnectionAcceptsMessagesWithAnEmptySignature()
    {
        var signer = new MessageSigner("", "hmac-sha256");
        var frames = Request("kernel_info_request", new JsonObject()).ToFrames(signer);
        Assert.Empty(frames[1]);
        Assert.Equal("kernel_info_request", JupyterMessage.Parse(frames, signer, "shell").MessageType);
    }

    private static JupyterMessage Request(string type, JsonObject content) =>
        JupyterMessage.Create(type, content, null, "test-client");

    private static JupyterMessage ReceiveReply(DealerSocket shell, MessageSigner signer)
    {
        var frames = new List<byte[]>();
        Assert.True(shell.TryReceiveMultipartBytes(TimeSpan.FromSeconds(60), ref frames), "no reply from the kernel within 60 s");
        return JupyterMessage.Parse(frames, signer, "shell reply");
    }

    private static int[] FreeLoopbackPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}
