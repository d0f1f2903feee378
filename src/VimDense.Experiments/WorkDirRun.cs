using VimDense.Engine;

namespace VimDense.Experiments;

/// <summary>
/// The files a training run leaves in its (flat) work directory, so that a second run there neither overwrites nor
/// appends to them by accident: without --resume it is refused while they are there, and --force removes them
/// (only these, VimDense's own names: anything else a user keeps in the folder stays) before it starts over.
/// </summary>
public static class WorkDirRun
{
    // Any of these marks a folder as holding a run (the checkpoints, their pointer, the log, the resolved config).
    private static readonly string[] MarkerPatterns = [CheckpointStore.FilePattern, CheckpointStore.BestFilePattern("*"), CheckpointStore.LatestPointer, "log.jsonl", "config.json"];

    // What a run writes at the top level, besides the markers.
    private static readonly string[] OutputPatterns = ["metrics.json", "metrics.txt", .. TrainingCurves.FileNames];

    // Sub-folders a run writes, with the names of the files it puts there; a folder left empty is removed.
    private static readonly (string Folder, string[] Patterns)[] OutputFolders =
    [
        ("tf_logs", ["events.out.tfevents.*"]),
        ("overlays", ["*.png"]),
        ("eval", ["results_bbox.json", "results_segm.json", "metrics.json"]),
    ];

    /// <summary>The files of a previous run in <paramref name="workDir"/> that mark it as one (empty when none).</summary>
    public static IReadOnlyList<string> Markers(string workDir) =>
        Directory.Exists(workDir) ? MarkerPatterns.SelectMany(p => Directory.EnumerateFiles(workDir, p)).Distinct().Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>
    /// Refuses, as one line naming the folder and both options, a fresh run (neither <paramref name="resume"/> nor
    /// <paramref name="force"/>) into a work directory that holds a run; both options together are refused too.
    /// </summary>
    public static void CheckStart(string workDir, bool resume, bool force)
    {
        if (resume && force)
            throw new UserInputException("--resume and --force exclude each other: --resume continues the run in the work directory, --force removes it and starts over");
        if (resume || force) return;
        var markers = Markers(workDir);
        if (markers.Count == 0) return;
        var shown = string.Join(", ", markers.Take(3).Select(Path.GetFileName)) + (markers.Count > 3 ? ", …" : "");
        throw new UserInputException(
            $"work directory {workDir} already holds a run ({shown}): pass --resume to continue it or --force to start over (removes that run's checkpoints, log and outputs)");
    }

    /// <summary>Deletes the previous run's files from <paramref name="workDir"/>; returns how many were removed.</summary>
    public static int Remove(string workDir)
    {
        if (!Directory.Exists(workDir)) return 0;
        var removed = 0;
        foreach (var file in MarkerPatterns.Concat(OutputPatterns).SelectMany(p => Directory.EnumerateFiles(workDir, p)).Distinct().ToList())
        {
            File.Delete(file);
            removed++;
        }
        foreach (var (folder, patterns) in OutputFolders)
        {
            var dir = Path.Combine(workDir, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in patterns.SelectMany(p => Directory.EnumerateFiles(dir, p)).Distinct().ToList())
            {
                File.Delete(file);
                removed++;
            }
            if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
        }
        return removed;
    }
}
