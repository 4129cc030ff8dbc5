using System.CommandLine;
using Dsa.Kernel;

namespace Dsa.Cli.Commands;

/// <summary>
/// `dsa kernel run|install|uninstall`: the live C# Jupyter kernel on the notebook engine.
/// `install` writes a kernelspec whose argv starts this very build (the dotnet host and this
/// Dsa.Cli.dll), which Jupyter then runs as `kernel run --connection-file FILE`.
/// </summary>
internal static class KernelCommand
{
    public static Command Create()
    {
        var command = new Command("kernel", "The live C# Jupyter kernel (JupyterLab, Jupyter Notebook, VS Code, nbconvert).");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateInstall());
        command.Subcommands.Add(CreateUninstall());
        return command;
    }

    private static Command CreateRun()
    {
        var file = new Option<FileInfo>("--connection-file") { Description = "The connection file Jupyter wrote (ports, key, signature scheme).", Required = true };
        var run = new Command("run", "Serve one kernel session (what kernel.json starts; binds to loopback only).") { file };
        run.SetAction(async (parse, _) =>
        {
            var connection = KernelConnection.Read(parse.GetValue(file)!.FullName);
            var kernel = new JupyterKernel(connection, Environment.CurrentDirectory, new StderrLog());
            Interruption.RouteInterruptTo(kernel.Interrupt);
            // SIGTERM (a front end giving up on a kernel that did not exit) stops it cleanly.
            await kernel.RunAsync(Interruption.Token);
            return 0;
        });
        return run;
    }

    private static Command CreateInstall()
    {
        var (user, prefix, name) = LocationOptions();
        var force = new Option<bool>("--force") { Description = "Replace a kernelspec of that name that another program wrote (.NET Interactive's .net-csharp, say)." };
        var install = new Command("install", $"Write the kernelspec (kernel.json, logos); default name {KernelSpec.DefaultName}, the name in the notebooks' metadata; another program's kernelspec of that name is left alone unless --force.") { user, prefix, name, force };
        install.Validators.Add(result =>
        {
            if (result.GetValue(user) && result.GetValue(prefix) is not null) result.AddError("give at most one of --user or --prefix DIR.");
        });
        install.SetAction(parse =>
        {
            string folder;
            try { folder = KernelSpec.Install(KernelsDirectory(parse.GetValue(prefix)), parse.GetValue(name)!, Launch(), parse.GetValue(force)); }
            catch (KernelSpecConflictException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            Console.WriteLine($"installed kernelspec '{parse.GetValue(name)}' ({KernelSpec.DisplayName}) in {folder}");
            return 0;
        });
        return install;
    }

    private static Command CreateUninstall()
    {
        var (user, prefix, name) = LocationOptions();
        var force = new Option<bool>("--force") { Description = "Remove the kernelspec even when another program wrote it." };
        var uninstall = new Command("uninstall", "Remove the kernelspec written by install.") { user, prefix, name, force };
        uninstall.SetAction(parse =>
        {
            string kernels = KernelsDirectory(parse.GetValue(prefix));
            bool removed;
            try { removed = KernelSpec.Uninstall(kernels, parse.GetValue(name)!, parse.GetValue(force)); }
            catch (KernelSpecConflictException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            Console.WriteLine(removed ? $"removed {Path.Combine(kernels, parse.GetValue(name)!)}" : $"no kernelspec '{parse.GetValue(name)}' in {kernels}");
            return removed ? 0 : 1;
        });
        return uninstall;
    }

    private static (Option<bool> User, Option<DirectoryInfo?> Prefix, Option<string> Name) LocationOptions() =>
    (
        new Option<bool>("--user") { Description = "The user's Jupyter data folder (the default): ~/.local/share/jupyter on Linux, or JUPYTER_DATA_DIR." },
        new Option<DirectoryInfo?>("--prefix") { Description = "An environment prefix: DIR/share/jupyter/kernels (what `jupyter kernelspec install --prefix` uses)." },
        new Option<string>("--name") { Description = "The kernelspec name.", DefaultValueFactory = _ => KernelSpec.DefaultName }
    );

    // jupyter_core's data folder: JUPYTER_DATA_DIR, else the platform's user data folder + "jupyter".
    private static string KernelsDirectory(DirectoryInfo? prefix)
    {
        if (prefix is not null) return Path.Combine(prefix.FullName, "share", "jupyter", "kernels");
        string? data = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        if (string.IsNullOrEmpty(data))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            data = OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter")
                : OperatingSystem.IsMacOS() ? Path.Combine(home, "Library", "Jupyter")
                : Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter");
        }
        return Path.Combine(data, "kernels");
    }

    /// <summary>[dotnet host, this Dsa.Cli.dll]: the installed build, whatever way `dsa` was started (dotnet run, the apphost, a tool shim, a test host).</summary>
    private static string[] Launch()
    {
        string dll = typeof(KernelCommand).Assembly.Location;
        return [DotnetHost(), dll];
    }

    private static string DotnetHost()
    {
        string dotnet = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self).Equals(dotnet, StringComparison.OrdinalIgnoreCase)) return self;
        // Set by the dotnet CLI for the processes it starts (dotnet test, dotnet run).
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(folder, dotnet))) return Path.Combine(folder, dotnet);
        throw new InvalidOperationException("cannot find the dotnet host to put in kernel.json: it is neither this process, DOTNET_HOST_PATH nor on PATH.");
    }

    /// <summary>Kernel log lines to stderr, synchronously (Jupyter puts a kernel's stderr into its server log).</summary>
    private sealed class StderrLog : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine($"[dsa-kernel] {value}");
    }
}
