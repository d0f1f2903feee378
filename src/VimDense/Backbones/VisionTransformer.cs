using TorchSharp;
using TorchSharp.Modules;
using VimDense.Checkpoints;
using VimDense.Layers;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// DeiT/ViT (timm vision_transformer names: patch_embed.proj, cls_token, pos_embed, blocks.{i}.*, norm, head),
/// optionally with ViTDet window attention in all blocks but <see cref="VitOptions.GlobalBlocks"/>.
/// Classification: <see cref="forward"/> gives logits of the normalised class token. Dense: <see cref="ForwardIntermediates"/>
/// gives (B, D, H/16, W/16) maps of the <see cref="OutIndices"/> blocks' outputs (class token removed).
/// </summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>, IBackbone
{
    private readonly PatchEmbed patch_embed;
    private readonly Parameter? cls_token;
    private readonly Parameter pos_embed;
    private readonly Dropout pos_drop;
    private readonly ModuleList<VitBlock> blocks;
    private readonly LayerNorm? norm;
    private readonly Linear? head;

    public VisionTransformer(int embedDim, int heads, VitOptions options) : base(nameof(VisionTransformer))
    {
        var depth = options.Depth ?? throw new ArgumentException("options.Depth must be resolved");
        EmbedDim = embedDim;
        Depth = depth;
        IsDense = options.Dense;
        Placement = options.ClassToken ?? (options.Dense ? ClassTokenPlacement.None : ClassTokenPlacement.Head);
        if (Placement is not (ClassTokenPlacement.Head or ClassTokenPlacement.None))
            throw new UserInputException($"DeiT class token '{options.ClassToken}': expected head or none");
        if (options.WindowSize > 0 && Placement != ClassTokenPlacement.None)
            throw new UserInputException("DeiT window attention needs ClassToken = none (the class token belongs to no window)");
        if (options.FeatureSource != FeatureSource.Residual)
            throw new UserInputException($"DeiT feature source '{options.FeatureSource}': DeiT features are block outputs (residual)");
        var useSdpa = options.Attention == AttentionKind.Sdpa;

        patch_embed = new PatchEmbed(3, embedDim, options.PatchSize, options.Stride,
            options.PatchPadding ?? (options.Dense ? PatchEmbed.DenseGridPadding(options.PatchSize, options.Stride) : 0));
        Grid = patch_embed.GridSize(options.ImgSize, options.ImgWidth ?? options.ImgSize);
        if (Placement == ClassTokenPlacement.Head) cls_token = new Parameter(zeros(1, 1, embedDim));
        pos_embed = new Parameter(zeros(1, new ClassTokenLayout(Placement, Grid.Rows * Grid.Cols).Length, embedDim));
        pos_drop = nn.Dropout(options.DropRate);

        var globalBlocks = options.GlobalBlocks ?? DefaultGlobalBlocks(depth);
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(i => new VitBlock(embedDim, heads,
            depth == 1 ? options.DropPathRate : options.DropPathRate * i / (depth - 1),
            options.WindowSize > 0 && !globalBlocks.Contains(i) ? options.WindowSize : 0, useSdpa)).ToArray());
        OutIndices = options.Dense ? BackboneFactory.ResolveOutIndices(options.OutIndices, depth) : [];
        if (!options.Dense)
        {
            norm = nn.LayerNorm(embedDim, 1e-6);
            if (options.NumClasses > 0) head = nn.Linear(embedDim, options.NumClasses);
        }
        RegisterComponents();
        ResetParameters();
    }

    public int EmbedDim { get; }
    public int Depth { get; }
    public bool IsDense { get; }
    public ClassTokenPlacement Placement { get; }
    public (int Rows, int Cols) Grid { get; }
    public IReadOnlyList<int> OutIndices { get; }
    /// <summary>Blocks recomputed in backward.</summary>
    public RecomputedBlocks CheckpointLayers { get; set; }
    public bool HasHead => head is not null;
    public bool HasFinalNorm => norm is not null;
    public IReadOnlyList<int> Channels => OutIndices.Select(_ => EmbedDim).ToArray();
    public IReadOnlyList<int> Strides => OutIndices.Select(_ => patch_embed.Stride).ToArray();
    public nn.Module Module => this;

    /// <summary>ViTDet's global blocks 2, 5, 8, 11 for depth 12, scaled for other depths.</summary>
    public static int[] DefaultGlobalBlocks(int depth) =>
        Enumerable.Range(1, 4).Select(k => Math.Max(0, k * depth / 4 - 1)).Distinct().ToArray();

    /// <summary>timm's ViT initialisation: trunc-normal(0.02) for linears, pos_embed and cls_token; zero biases.</summary>
    public void ResetParameters()
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else if (name.StartsWith("norm", StringComparison.Ordinal) || name.Contains(".norm")) p.fill_(1.0);
            else if (name.StartsWith("patch_embed", StringComparison.Ordinal))
            {
                var fanIn = p.shape[1] * p.shape[2] * p.shape[3];
                TruncatedNormal.Fill(p, Math.Sqrt(1.0 / fanIn) / .87962566103423978);
            }
            else TruncatedNormal.Fill(p, 0.02);
        }
    }

    /// <summary>Logits (B, classes) of the normalised class token (or mean token without one).</summary>
    public override Tensor forward(Tensor images)
    {
        using var feature = ForwardFeatures(images);
        return head is null ? feature.alias() : Autocast.Linear(head, feature);
    }

    /// <summary>The normalised class-token feature (B, D), or the normalised mean of the tokens without a class token.</summary>
    public Tensor ForwardFeatures(Tensor images)
    {
        if (IsDense) throw new InvalidOperationException("this DeiT was built for dense features (options.Dense = true)");
        using var scope = NewDisposeScope();
        var tokens = RunBlocks(images, Depth - 1, null, out _);
        return norm!.call(Placement == ClassTokenPlacement.Head ? tokens.select(1, 0) : tokens.mean([1])).MoveToOuterDisposeScope();
    }

    public IReadOnlyList<Tensor> ForwardIntermediates(Tensor images)
    {
        if (!IsDense) throw new InvalidOperationException("this DeiT was built for classification (options.Dense = false)");
        var maps = new Tensor[OutIndices.Count];
        using (var scope = NewDisposeScope())
        {
            RunBlocks(images, OutIndices.Max(), (index, tokens, layout, grid) =>
            {
                for (var k = 0; k < OutIndices.Count; k++)
                {
                    if (OutIndices[k] != index) continue;
                    using var patches = layout.RemoveClassTokens(tokens.transpose(1, 2));
                    maps[k] = patches.reshape(patches.shape[0], EmbedDim, grid.Rows, grid.Cols).contiguous().MoveToOuterDisposeScope();
                }
            }, out _);
        }
        return maps;
    }

    public LoadReport Load(string checkpoint, bool strict = false) => VitCheckpointAdapter.LoadInto(this, checkpoint, strict);

    private Tensor RunBlocks(Tensor images, int lastIndex, Action<int, Tensor, ClassTokenLayout, (int Rows, int Cols)>? onOutput,
        out ClassTokenLayout layout)
    {
        var map = patch_embed.call(images);
        var grid = ((int)map.shape[2], (int)map.shape[3]);
        layout = new ClassTokenLayout(Placement, grid.Item1 * grid.Item2);
        var classTokens = cls_token is null ? Array.Empty<Tensor>() : [cls_token.transpose(1, 2)];
        using var sequence = layout.Insert(map.flatten(2), classTokens);
        map.Dispose();
        var x = sequence.transpose(1, 2) + PositionEmbeddingFor(grid, layout);
        x = pos_drop.call(x);
        var drawsRandomNumbers = training && blocks.Any(b => ((VitBlock)b).DropPathRate > 0);
        for (var i = 0; i <= Math.Min(lastIndex, Depth - 1); i++)
        {
            var block = (VitBlock)blocks[i];
            var next = CheckpointLayers.Includes(i)
                ? ActivationRecomputation.Run(inputs => [block.Forward(inputs[0], grid)], [x], drawsRandomNumbers, "model.backbone.checkpoint_layers")[0]
                : block.Forward(x, grid);
            x.Dispose();
            x = next;
            onOutput?.Invoke(i, x, layout, grid);
        }
        return x;
    }

    private Tensor PositionEmbeddingFor((int Rows, int Cols) grid, ClassTokenLayout layout)
    {
        if (grid == Grid) return pos_embed.alias();
        var (classRows, patchRows) = new ClassTokenLayout(Placement, Grid.Rows * Grid.Cols).SplitPositionRows(pos_embed);
        using var resized = PositionEmbeddingResize.Resize(patchRows, Grid, grid);
        return layout.JoinPositionRows(classRows, resized);
    }
}
