using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Coco;

namespace VimDense.Datasets;

/// <summary>
/// The classes of a data set in train-id order: names, display colours and, for COCO files, the category id of each
/// train id (categories sorted by id, detectron2's contiguous mapping; results map back through it).
/// <see cref="Source"/> says where the list came from, for messages.
/// </summary>
public sealed record DatasetClasses(IReadOnlyList<string> Names, IReadOnlyList<(byte R, byte G, byte B)> Palette,
    IReadOnlyList<long>? CategoryIds, string Source)
{
    public int Count => Names.Count;

    /// <summary>Names with the default palette (<see cref="DefaultPalette"/>) or <paramref name="palette"/> (one colour per class).</summary>
    public static DatasetClasses Of(IReadOnlyList<string> names, string source, IReadOnlyList<(byte R, byte G, byte B)>? palette = null,
        IReadOnlyList<long>? categoryIds = null)
    {
        if (names.Count == 0) throw new UserInputException($"{source}: no class names");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new UserInputException($"{source}: class name '{duplicate.Key}' appears {duplicate.Count()} times");
        if (palette is not null && palette.Count != names.Count)
            throw new UserInputException($"data.palette: {palette.Count} colours for {names.Count} classes ({source})");
        return new DatasetClasses(names, palette ?? DefaultPalette(names.Count), categoryIds, source);
    }

    /// <summary>The categories of a COCO instances file, sorted by id.</summary>
    public static DatasetClasses FromCoco(string path, IEnumerable<CocoCategory> categories, IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        var sorted = categories.OrderBy(c => c.Id).ToList();
        return Of(sorted.Select(c => c.Name).ToList(), $"the categories of {path}", palette, sorted.Select(c => c.Id).ToList());
    }

    /// <summary>A classes file: one name per line; blank lines and surrounding spaces are ignored.</summary>
    public static DatasetClasses FromFile(string path, IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        if (!File.Exists(path)) throw new UserInputException($"data.classes_file: {path} not found (expected one class name per line)");
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return Of(names, $"data.classes_file {path}", palette);
    }

    /// <summary>The deterministic default colours: ADE20K's palette, cycled.</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> DefaultPalette(int count) =>
        Enumerable.Range(0, count).Select(k => Ade20kClasses.Palette[k % Ade20kClasses.Palette.Count]).ToList();

    /// <summary>The category id of train id <paramref name="index"/> (the index itself for folders without ids).</summary>
    public long CategoryIdOf(int index) => CategoryIds is { } ids ? ids[index] : index;
}
