using VimDense.Config;

namespace VimDense.Cli.Experiments;

/// <summary>Which experiment a config describes (its "task" key), so train / eval / predict can dispatch.</summary>
internal static class ExperimentTask
{
    public static bool IsDetection(string configPath, IEnumerable<string>? overrides)
    {
        var task = ConfigLoader.Load(configPath, overrides).Task;
        return task switch
        {
            "detection" => true,
            "segmentation" => false,
            _ => throw new UserInputException($"{configPath}: task '{task}': expected segmentation or detection"),
        };
    }
}
