using TorchSharp;
using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// ViTDet's SimpleFeaturePyramid (reference/dense_prediction.md §6.2): from the backbone's last (or only)
/// map, scale ×4 (ConvT → LN → GELU → ConvT), ×2 (ConvT), ×1 (identity) and ×0.5 (max-pool), each
/// followed by a 1×1 and a 3×3 convolution with channel LN (no bias, no activation), plus P6 = max-pool
/// (kernel 1, stride 2) of the coarsest level. Submodules are named <c>simfp_{log2 stride}</c> with
/// detectron2's indices, so ViTDet checkpoints load by name.
/// </summary>
public sealed class SimpleFeaturePyramid : Neck
{
    private readonly List<Sequential> _stages = [];
    private readonly int[] _strides;
    private readonly int[] _channels;

    public SimpleFeaturePyramid(IReadOnlyList<int> inChannels, IReadOnlyList<int> inStrides, int outChannels = 256,
        IReadOnlyList<double>? scaleFactors = null, bool topBlock = true) : base(nameof(SimpleFeaturePyramid))
    {
        if (inChannels.Count == 0 || inChannels.Count != inStrides.Count)
            throw new ArgumentException("the backbone must declare one channel count and one stride per output map", nameof(inChannels));
        var scales = scaleFactors ?? [4.0, 2.0, 1.0, 0.5];
        int dim = inChannels[^1], inStride = inStrides[^1];
        var strides = new List<int>();
        foreach (var scale in scales)
        {
            var (layers, width) = ScaleLayers(scale, dim);
            layers.Add(new NormedConv2d(width, outChannels, 1, bias: false, layerNorm: true, relu: false));
            layers.Add(new NormedConv2d(outChannels, outChannels, 3, bias: false, layerNorm: true, relu: false));
            var stride = (int)Math.Round(inStride / scale);
            if (stride < 1 || Math.Abs(inStride / scale - stride) > 1e-9)
                throw new ArgumentException($"scale {scale} of stride {inStride} is not a whole stride", nameof(scaleFactors));
            var stage = nn.Sequential(layers.Select((m, i) => ((string)i.ToString(), m)));
            register_module($"simfp_{(int)Math.Round(Math.Log2(stride))}", stage);
            _stages.Add(stage);
            strides.Add(stride);
        }
        if (topBlock) strides.Add(strides[^1] * 2);
        _strides = strides.ToArray();
        _channels = strides.Select(_ => outChannels).ToArray();
        TopBlock = topBlock;
    }

    /// <summary>Whether a P6 level (stride 2 subsampling of the coarsest map) is appended.</summary>
    public bool TopBlock { get; }
    public override IReadOnlyList<int> OutChannels => _channels;
    public override IReadOnlyList<int> OutStrides => _strides;

    public override IReadOnlyList<Tensor> forward(IReadOnlyList<Tensor> features)
    {
        if (features.Count == 0) throw new ArgumentException("no feature maps", nameof(features));
        var x = features[^1];
        var outputs = _stages.Select(stage => stage.call(x)).ToList();
        if (TopBlock) outputs.Add(nn.functional.max_pool2d(outputs[^1], 1, 2));
        return outputs;
    }

    // The resampling layers of one scale and the channel count they leave.
    private static (List<nn.Module<Tensor, Tensor>> Layers, long Width) ScaleLayers(double scale, long dim) => scale switch
    {
        4.0 => ([
            nn.ConvTranspose2d(dim, dim / 2, 2, stride: 2),
            new LayerNorm2d(dim / 2),
            nn.GELU(),
            nn.ConvTranspose2d(dim / 2, dim / 4, 2, stride: 2),
        ], dim / 4),
        2.0 => ([nn.ConvTranspose2d(dim, dim / 2, 2, stride: 2)], dim / 2),
        1.0 => ([], dim),
        0.5 => ([nn.MaxPool2d(2, stride: 2)], dim),
        _ => throw new ArgumentException($"scale factor {scale} is not supported (4, 2, 1, 0.5)", nameof(scale)),
    };
}
