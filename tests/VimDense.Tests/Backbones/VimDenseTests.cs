using VimDense.Backbones;
using VimDense.Checkpoints;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>Dense mode: a 224 middle-class-token checkpoint at other sizes, grid arithmetic, feature sources.</summary>
public sealed class VimDenseTests
{
    private static VisionMamba Dense(int height, int width, int stride = 16, FeatureSource source = FeatureSource.Residual, ClassTokenPlacement? classToken = null) =>
        (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions
        {
            Dense = true, Depth = 2, OutIndices = [0, 1], ImgSize = height, ImgWidth = width, Stride = stride,
            FeatureSource = source, ClassToken = classToken,
        });

    /// <summary>A randomly initialised 224 classification model saved as safetensors (pos_embed 197 rows, class row at 98).</summary>
    private static (string Path, Tensor PosEmbed) MiddleClassTokenCheckpoint()
    {
        manual_seed(3);
        using var model = VimFixtureTests.ClassificationModel(16, depth: 2, img: 224);
        var path = Path.Combine(TestPaths.NewTempDir(), "vim_t_224_midcls.safetensors");
        var stateDict = model.state_dict();
        SafeTensors.Save(path, stateDict);
        return (path, stateDict["pos_embed"].clone());
    }

    [Theory]
    [InlineData(512, 512)]
    [InlineData(320, 512)]
    public void MiddleClassTokenCheckpointLoadsIntoDenseModeWithTheClassRowDroppedAtItsIndex(int height, int width)
    {
        var (path, posEmbed) = MiddleClassTokenCheckpoint();
        using var model = Dense(height, width);
        var report = model.Load(path);
        Assert.Empty(report.Missing);
        Assert.Empty(report.ShapeMismatched);
        Assert.Contains(report.Adapted, note => note.Contains($"14x14 -> {height / 16}x{width / 16}") && note.Contains("class row 98 dropped"));

        // The loaded grid is the bicubic resize of the 196 patch rows (row 98 removed, not row 0).
        var patchRows = cat([posEmbed.narrow(1, 0, 98), posEmbed.narrow(1, 99, 98)], 1);
        using var grid = patchRows.reshape(1, 14, 14, 192).permute(0, 3, 1, 2);
        using var direct = nn.functional.interpolate(grid, size: [height / 16, width / 16], mode: InterpolationMode.Bicubic, align_corners: false)
            .permute(0, 2, 3, 1).reshape(1, -1, 192);
        VimFixtureTests.AssertClose(direct, model.get_parameter("pos_embed")!.detach(), 1e-6);

        using var noGrad = no_grad();
        using var images = randn(1, 3, height, width);
        var maps = model.ForwardIntermediates(images);
        Assert.Equal(2, maps.Count);
        foreach (var map in maps) Assert.Equal(new long[] { 1, 192, height / 16, width / 16 }, map.shape);
        Assert.Equal(new[] { 16, 16 }, model.Strides);
    }

    [Fact]
    public void Stride8DenseGridIsSideOverStrideForNonSquareInputs()
    {
        using var model = Dense(64, 48, stride: 8);
        Assert.Equal((8, 6), model.Grid);
        using var noGrad = no_grad();
        using var images = randn(2, 3, 64, 48);
        var maps = model.ForwardIntermediates(images);
        Assert.Equal(new long[] { 2, 192, 8, 6 }, maps[0].shape);
        // Another input size at run time: the position embedding is resized on the fly.
        using var other = randn(1, 3, 32, 40);
        Assert.Equal(new long[] { 1, 192, 4, 5 }, model.ForwardIntermediates(other)[1].shape);
    }

    [Fact]
    public void MiddleClassTokenInDenseModeIsRemovedFromTheMapsAtItsIndex()
    {
        // A kept middle class token sits at index M/2 = 8 of the 4x4 grid; removing it restores the patches in
        // row-major order, each with its own position row.
        using var model = Dense(64, 64, classToken: ClassTokenPlacement.Middle);
        using var noGrad = no_grad();
        using var images = randn(1, 3, 64, 64);
        var sequence = model.Embed(images, out var layout, out var grid);
        Assert.Equal(new[] { 8 }, layout.Indices);
        using var patches = layout.RemoveClassTokens(sequence);
        using var map = model.PatchEmbedding.forward(images).flatten(2);
        using var pos = model.get_parameter("pos_embed")!.detach();
        var (_, patchRows) = layout.SplitPositionRows(pos);
        VimFixtureTests.AssertClose(map + patchRows.transpose(1, 2), patches, 1e-6);
        Assert.Equal(new long[] { 1, 192, 4, 4 }, model.ForwardIntermediates(images)[0].shape);
    }

    [Fact]
    public void FeatureSourcesAreMixerOutputResidualStreamAndItsNorm()
    {
        manual_seed(5);
        using var mixer = Dense(32, 32, source: FeatureSource.Mixer);
        using var residual = Dense(32, 32, source: FeatureSource.Residual);
        using var normed = Dense(32, 32, source: FeatureSource.ResidualNorm);
        var weights = normed.state_dict();
        residual.load_state_dict(weights, strict: false);
        mixer.load_state_dict(weights, strict: false);
        using var noGrad = no_grad();
        using var images = randn(1, 3, 32, 32);
        var m = mixer.ForwardIntermediates(images);
        var r = residual.ForwardIntermediates(images);
        var n = normed.ForwardIntermediates(images);
        // After block 1: stream = embedding + mixer0 + mixer1, so stream1 - stream0 = mixer1.
        VimFixtureTests.AssertClose(m[1], r[1] - r[0], 1e-5);
        using var rms = r[1].square().mean([1], keepdim: true).add(1e-5).rsqrt();
        VimFixtureTests.AssertClose(r[1] * rms, n[1], 1e-5);
    }
}
