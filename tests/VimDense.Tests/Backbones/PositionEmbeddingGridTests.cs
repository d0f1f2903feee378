using VimDense.Backbones;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>A position embedding that already fills the model's non-square grid loads as that grid (issue 17, item 3).</summary>
public sealed class PositionEmbeddingGridTests
{
    [Theory]
    [InlineData(ClassTokenPlacement.None, 96)]
    [InlineData(ClassTokenPlacement.Middle, 97)]
    public void NonSquareEmbeddingOfTheModelsGridIsKept(ClassTokenPlacement placement, int rows)
    {
        using var model = new VisionMamba(64, new VimOptions { Depth = 1, ImgSize = 128, ImgWidth = 192, ClassToken = placement, Dense = placement == ClassTokenPlacement.None, NumClasses = 0 });
        Assert.Equal((8, 12), model.Grid);
        manual_seed(1);
        using var posEmbed = randn(1, rows, 64);
        var source = new Dictionary<string, Tensor> { ["pos_embed"] = posEmbed };
        if (placement != ClassTokenPlacement.None) source["cls_token"] = zeros(1, 1, 64);
        var (adapted, notes) = VimCheckpointAdapter.Adapt(source, model);
        Assert.True(adapted["pos_embed"].eq(posEmbed).all().item<bool>());
        Assert.DoesNotContain(notes, n => n.Contains("resized"));
    }

    [Fact]
    public void SquareEmbeddingIsStillResizedToANonSquareGrid()
    {
        using var model = new VisionMamba(64, new VimOptions { Depth = 1, ImgSize = 128, ImgWidth = 192 });
        using var posEmbed = randn(1, 16, 64);
        var (adapted, notes) = VimCheckpointAdapter.Adapt(new Dictionary<string, Tensor> { ["pos_embed"] = posEmbed }, model);
        Assert.Equal([1, 96, 64], adapted["pos_embed"].shape);
        Assert.Contains(notes, n => n.Contains("resized 4x4 -> 8x12"));
    }

    [Fact]
    public void OtherNonSquareCountsNameBothGrids()
    {
        using var model = new VisionMamba(64, new VimOptions { Depth = 1, ImgSize = 128, ImgWidth = 192 });
        using var posEmbed = randn(1, 95, 64);
        var error = Assert.Throws<UserInputException>(() => VimCheckpointAdapter.Adapt(new Dictionary<string, Tensor> { ["pos_embed"] = posEmbed }, model));
        Assert.Contains("8x12", error.Message);
    }

    [Fact]
    public void DeitEmbeddingOfTheModelsNonSquareGridIsKept()
    {
        using var model = (VisionTransformer)BackboneFactory.Create("deit_tiny", new VitOptions { Depth = 1, ImgSize = 128, ImgWidth = 192 });
        var dim = model.EmbedDim;
        using var posEmbed = randn(1, 97, dim);
        var (adapted, _) = VitCheckpointAdapter.Adapt(new Dictionary<string, Tensor> { ["pos_embed"] = posEmbed, ["cls_token"] = zeros(1, 1, dim) }, model);
        using var patchRows = posEmbed.narrow(1, 1, 96);
        Assert.True(adapted["pos_embed"].eq(patchRows).all().item<bool>());
    }
}
