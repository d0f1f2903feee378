namespace VimDense.Datasets.Classification;

/// <summary>
/// The samples of an ImageNet-style folder, as torchvision's ImageFolder lists them (what hustvl/Vim evaluates):
/// - class folders: every class is a sub-folder, classes are the folder names sorted ordinally (class index =
///   position), images are the files below them with an image extension, recursively;
/// - or a flat folder with a labels file: one "relative/path label" line per image (label an integer class index;
///   blank lines and lines starting with # are skipped), as the usual ILSVRC2012 val.txt.
/// </summary>
public sealed class ImageFolderIndex
{
    /// <summary>torchvision's IMG_EXTENSIONS (compared case-insensitively).</summary>
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

    private ImageFolderIndex(IReadOnlyList<string> classes, IReadOnlyList<ClassificationSample> samples)
    {
        Classes = classes;
        Samples = samples;
    }

    /// <summary>Class names in index order (the folder names; empty with a labels file).</summary>
    public IReadOnlyList<string> Classes { get; }

    public IReadOnlyList<ClassificationSample> Samples { get; }

    /// <summary>Indexes <paramref name="root"/>; a bad layout is a <see cref="BadSampleException"/> naming the folder or file line.</summary>
    public static ImageFolderIndex Open(string root, string? labelsFile = null)
    {
        if (!Directory.Exists(root)) throw new BadSampleException($"{root}: data folder not found");
        return labelsFile is null ? FromClassFolders(root) : FromLabelsFile(root, labelsFile);
    }

    private static ImageFolderIndex FromClassFolders(string root)
    {
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
            throw new BadSampleException($"{root}: no class folders (ImageFolder layout: one sub-folder per class; for a flat folder give a labels file)");
        var samples = new List<ClassificationSample>();
        for (var label = 0; label < classes.Count; label++)
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, classes[label]!), "*", SearchOption.AllDirectories)
                .Where(IsImage).Order(StringComparer.Ordinal);
            samples.AddRange(files.Select(file => new ClassificationSample(file, label)));
        }
        if (samples.Count == 0) throw new BadSampleException($"{root}: no images ({string.Join(", ", Extensions)}) in its {classes.Count} class folders");
        return new ImageFolderIndex(classes!, samples);
    }

    private static ImageFolderIndex FromLabelsFile(string root, string labelsFile)
    {
        if (!File.Exists(labelsFile)) throw new BadSampleException($"{labelsFile}: labels file not found");
        var samples = new List<ClassificationSample>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(labelsFile))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cut = line.LastIndexOfAny([' ', '\t']);
            if (cut <= 0 || !int.TryParse(line[(cut + 1)..], out var label) || label < 0)
                throw new BadSampleException($"{labelsFile}:{lineNumber}: expected \"relative/path label\" with a class index >= 0, got \"{line}\"");
            var path = Path.Combine(root, line[..cut].Trim());
            if (!File.Exists(path)) throw new BadSampleException($"{labelsFile}:{lineNumber}: image {path} not found");
            samples.Add(new ClassificationSample(path, label));
        }
        if (samples.Count == 0) throw new BadSampleException($"{labelsFile}: no labelled images");
        return new ImageFolderIndex([], samples);
    }

    private static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
}
