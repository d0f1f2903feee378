namespace VimDense.Datasets.Coco;

/// <summary>
/// Where a COCO JSON value sits, for error messages ("file: annotations[3]", "file: result 7"). A struct that
/// becomes text only when an error is raised, so parsing 500,000 entries allocates no message strings.
/// </summary>
internal readonly record struct CocoJsonPlace(string Path, string List, int Index)
{
    /// <summary>The entry name used for results files, which pycocotools numbers as "result i".</summary>
    public const string Result = "result";

    /// <summary>The file itself, for values outside any list entry.</summary>
    public static CocoJsonPlace File(string path) => new(path, "", -1);

    public override string ToString() =>
        Index < 0 ? Path : List == Result ? $"{Path}: result {Index}" : $"{Path}: {List}[{Index}]";
}
