namespace VimDense.Datasets.Synthetic;

/// <summary>
/// Where synthetic data may be written without losing anything: a new or empty folder, or one VimDense generated
/// itself (it holds <see cref="Marker"/>, or <see cref="PartialMarker"/> when a generation was interrupted). Any other
/// folder is refused before a file is written, so a real data set at a mistyped data.root is never overwritten.
/// </summary>
public static class SyntheticFolder
{
    /// <summary>Written last: the set is complete (holds the class count and names).</summary>
    public const string Marker = "synthetic.json";

    /// <summary>Written first and removed last: the folder is VimDense's even if the generation stops half-way.</summary>
    public const string PartialMarker = "synthetic.partial";

    /// <summary>Refuses <paramref name="root"/> unless synthetic data may be written there, then marks it as VimDense's.</summary>
    public static void Claim(string root)
    {
        if (File.Exists(root)) throw new UserInputException($"{root}: is a file; expected a folder for the synthetic data set");
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()
            && !File.Exists(Path.Combine(root, Marker)) && !File.Exists(Path.Combine(root, PartialMarker)))
            throw new UserInputException(
                $"{root}: not empty and not a VimDense synthetic data set (no {Marker}); refusing to write synthetic data over it (use an empty or new folder)");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, PartialMarker), "a synthetic data set is being written here by vimdense\n");
    }

    /// <summary>Writes the completion marker and removes the partial one.</summary>
    public static void Complete(string root, string markerJson)
    {
        File.WriteAllText(Path.Combine(root, Marker), markerJson);
        File.Delete(Path.Combine(root, PartialMarker));
    }
}
