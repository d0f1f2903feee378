using VimDense.Datasets.Synthetic;

namespace VimDense.Tests.Datasets;

/// <summary>Small synthetic ADE20K and COCO folders shared by the data-set tests of one class.</summary>
public sealed class SyntheticDataFixture : IDisposable
{
    public SyntheticDataFixture()
    {
        Root = TestPaths.NewTempDir("vimdense-data");
        SyntheticAde20kWriter.Write(Ade20kRoot, new SyntheticOptions { Images = 12, Classes = 6, Size = 48, Seed = 3 });
        SyntheticCocoWriter.Write(CocoRoot, new SyntheticOptions { Images = 16, Classes = 14, Size = 64, Seed = 4 });
    }

    public string Root { get; }
    public string Ade20kRoot => Path.Combine(Root, "ade");
    public string CocoRoot => Path.Combine(Root, "coco");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
