// Deliberately wrong arrows for LayeringTests: a tiny tree under the root "LayeringProbe" whose Training
// uses Reports, the reverse of the plan, in the three ways code hides a use (a method body, a lambda, a field).
namespace LayeringProbe.Reports
{
    public sealed class ProbeReport
    {
        public static int Pages() => 1;
    }
}

namespace LayeringProbe.Training
{
    public static class CallsAReport
    {
        public static int Body() => LayeringProbe.Reports.ProbeReport.Pages();
    }

    public static class CallsAReportInALambda
    {
        public static Func<int> Later() => () => LayeringProbe.Reports.ProbeReport.Pages() + 1;
    }

    public sealed class HoldsAReport
    {
        public object? Held;
        private readonly LayeringProbe.Reports.ProbeReport? report = null;
        public bool Has() => report is not null;
    }
}

namespace LayeringProbe.Workflows
{
    // An allowed arrow: Workflows -> Training.
    public static class RunsTraining
    {
        public static int Run() => LayeringProbe.Training.CallsAReport.Body();
    }
}
