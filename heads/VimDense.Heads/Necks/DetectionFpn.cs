using TorchSharp;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// The FPN alternative to SimpleFeaturePyramid for a plain (single-stride) backbone, as the segmentation path builds
/// it: Feature2Pyramid turns four backbone maps into strides ×4, ×2, ×1, ×0.5 of the input stride (deconvolutions,
/// max-pool), an FPN maps them to a common width, and P6 is a stride-2 subsampling of the coarsest level (detectron2's
/// LastLevelMaxPool), giving the five levels the RPN's anchors expect.
/// </summary>
public sealed class DetectionFpn : Neck
{
    private readonly Feature2Pyramid pyramid;
    private readonly Fpn fpn;
    private readonly int[] strides;
    private readonly int[] channels;

    public DetectionFpn(int embedDim, int inputStride, DetectionFpnOptions? options = null) : base(nameof(DetectionFpn))
    {
        options ??= new DetectionFpnOptions();
        var outChannels = options.OutChannels;
        pyramid = new Feature2Pyramid(embedDim, inputStride, new Feature2PyramidOptions { Norm = options.Norm });
        fpn = new Fpn(pyramid.OutChannels, pyramid.OutStrides, outChannels);
        strides = [.. fpn.OutStrides, fpn.OutStrides[^1] * 2];
        channels = strides.Select(_ => outChannels).ToArray();
        register_module("pyramid", pyramid);
        register_module("fpn", fpn);
    }

    public override IReadOnlyList<int> OutChannels => channels;
    public override IReadOnlyList<int> OutStrides => strides;

    public override IReadOnlyList<Tensor> forward(IReadOnlyList<Tensor> inputs)
    {
        var levels = fpn.call(pyramid.call(inputs)).ToList();
        levels.Add(nn.functional.max_pool2d(levels[^1], 1, 2));
        return levels;
    }
}
