using TorchSharp;
using TorchSharp.Modules;
using VimDense.Checkpoints;
using VimDense.Layers;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// Vision Mamba (hustvl/Vim models_mamba.VisionMamba) for classification and dense prediction.
/// Parameter names equal the reference state-dict keys (patch_embed.proj.*, pos_embed, cls_token, layers.{i}.*,
/// norm_f.weight, head.*). Internally the token sequence is channels-first (B, D, L).
/// Classification: <see cref="forward"/> gives logits, <see cref="ForwardFeatures"/> the normalised class-token
/// feature. Dense: <see cref="ForwardIntermediates"/> gives (B, D, H/s, W/s) maps of the <see cref="OutIndices"/> blocks.
/// </summary>
public sealed class VisionMamba : nn.Module<Tensor, Tensor>, IBackbone
{
    private readonly PatchEmbed patch_embed;
    private readonly Parameter? cls_token;
    private readonly Parameter? cls_token_head;
    private readonly Parameter? cls_token_tail;
    private readonly Parameter? pos_embed;
    private readonly Dropout pos_drop;
    private readonly ModuleList<VimBlock> layers;
    private readonly DropPath drop_path;
    private readonly RMSNorm? norm_f;
    private readonly Linear? head;
    private readonly FeatureSource featureSource;
    private readonly bool pairs;
    private readonly VisionRotaryEmbedding? rope;

    public VisionMamba(int embedDim, VimOptions options) : base(nameof(VisionMamba))
    {
        var depth = options.Depth ?? throw new ArgumentException("options.Depth must be resolved");
        if (depth <= 0) throw new UserInputException($"depth {depth}: must be positive");
        EmbedDim = embedDim;
        Depth = depth;
        IsDense = options.Dense;
        Options = options;
        Placement = options.ClassToken ?? (options.Dense ? ClassTokenPlacement.None : ClassTokenPlacement.Middle);
        FinalPool = options.FinalPool;
        featureSource = options.FeatureSource;
        pairs = options.BidirectionalPairs;
        if (pairs && depth % 2 != 0) throw new UserInputException($"bidirectional pairs need an even depth, got {depth}");
        var bidirectional = options.Mixer == VimMixer.V2;

        var padding = options.PatchPadding ?? (options.Dense ? PatchEmbed.DenseGridPadding(options.PatchSize, options.Stride) : 0);
        patch_embed = new PatchEmbed(3, embedDim, options.PatchSize, options.Stride, padding);
        Grid = patch_embed.GridSize(options.ImgSize, options.ImgWidth ?? options.ImgSize);
        var layout = new ClassTokenLayout(Placement, Grid.Rows * Grid.Cols);
        if (Placement == ClassTokenPlacement.Double)
        {
            cls_token_head = new Parameter(zeros(1, 1, embedDim));
            cls_token_tail = new Parameter(zeros(1, 1, embedDim));
        }
        else if (Placement != ClassTokenPlacement.None) cls_token = new Parameter(zeros(1, 1, embedDim));
        pos_embed = new Parameter(zeros(1, layout.Length, embedDim));
        pos_drop = nn.Dropout(options.DropRate);

        // Linear stochastic-depth rule: block i's output is dropped with linspace(0, rate, depth)[i]. As in the
        // reference, block i applies the rate of block i-1 to its incoming hidden state; the final norm applies the last.
        var rates = Enumerable.Range(0, depth).Select(i => depth == 1 ? options.DropPathRate : options.DropPathRate * i / (depth - 1)).ToArray();
        layers = nn.ModuleList(Enumerable.Range(0, depth).Select(i => new VimBlock(
            new BiMambaMixer(embedDim, options.DState, options.ConvWidth, options.Expand, bidirectional, options.DivideOut),
            embedDim, i == 0 ? 0.0 : rates[i - 1])).ToArray());
        drop_path = new DropPath(options.DropPathRate);

        OutIndices = options.Dense ? BackboneFactory.ResolveOutIndices(options.OutIndices, pairs ? depth / 2 : depth) : [];
        if (!options.Dense || featureSource == FeatureSource.ResidualNorm) norm_f = new RMSNorm(embedDim, 1e-5, channelDim: 1);
        if (!options.Dense && options.NumClasses > 0) head = nn.Linear(embedDim, options.NumClasses);
        if (options.RopeResidual && !options.Rope) throw new UserInputException("rope_residual: needs rope (the residual is rotated with the hidden states)");
        if (options.Rope) rope = new VisionRotaryEmbedding(embedDim, options.PtHwSeqLen);
        RegisterComponents();
        ResetParameters();
    }

    public int EmbedDim { get; }
    public int Depth { get; }
    public bool IsDense { get; }
    public VimOptions Options { get; }
    public ClassTokenPlacement Placement { get; }
    public FinalPool FinalPool { get; }
    /// <summary>Token grid of the configured image size (what pos_embed is sized for).</summary>
    public (int Rows, int Cols) Grid { get; }
    public IReadOnlyList<int> OutIndices { get; }
    /// <summary>Loop steps (blocks, or block pairs with bidirectional_pairs) recomputed in backward.</summary>
    public RecomputedBlocks CheckpointLayers { get; set; }
    public PatchEmbed PatchEmbedding => patch_embed;
    public bool HasHead => head is not null;
    public bool HasFinalNorm => norm_f is not null;

    public IReadOnlyList<int> Channels => OutIndices.Select(_ => EmbedDim).ToArray();
    public IReadOnlyList<int> Strides => OutIndices.Select(_ => patch_embed.Stride).ToArray();
    public nn.Module Module => this;

    /// <summary>The reference initialisation (see <see cref="BiMambaMixer.ResetParameters"/> for the mixers).</summary>
    public void ResetParameters()
    {
        using var noGrad = torch.no_grad();
        var conv = patch_embed.Proj;
        var fanIn = conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
        TruncatedNormal.Fill(conv.weight, Math.Sqrt(1.0 / fanIn) / .87962566103423978);   // timm lecun_normal_
        conv.bias!.zero_();
        foreach (var p in new[] { pos_embed, cls_token, cls_token_head, cls_token_tail })
            if (p is not null) TruncatedNormal.Fill(p, 0.02);
        if (head is not null)
        {
            TruncatedNormal.Fill(head.weight!, 0.02);
            head.bias!.zero_();
        }
        foreach (var layer in layers) layer.Mixer.ResetParameters(Depth);
    }

    /// <summary>Logits (B, classes); for the "max" pool without class token, the max over per-token logits.</summary>
    public override Tensor forward(Tensor images)
    {
        if (head is null) return ForwardFeatures(images);
        if (Placement != ClassTokenPlacement.None || FinalPool != FinalPool.Max)
        {
            using var features = ForwardFeatures(images);
            return Autocast.Linear(head, features);
        }
        using var scope = NewDisposeScope();
        var tokens = FinalTokens(images, out _);                 // (B, D, L)
        return Autocast.Linear(head, tokens.transpose(1, 2)).amax([1]).MoveToOuterDisposeScope();
    }

    /// <summary>The classification feature (B, D): the normalised class token (as forward(x, return_features=True)), or the pooled tokens.</summary>
    public Tensor ForwardFeatures(Tensor images)
    {
        using var scope = NewDisposeScope();
        var tokens = FinalTokens(images, out var layout);
        var indices = layout.Indices;
        var feature = Placement switch
        {
            ClassTokenPlacement.None => FinalPool switch
            {
                FinalPool.None => tokens.select(2, tokens.shape[2] - 1),
                _ => tokens.mean([2]),
            },
            ClassTokenPlacement.Double => (tokens.select(2, indices[0]) + tokens.select(2, indices[1])) / 2,
            _ => tokens.select(2, indices[0]),
        };
        return feature.MoveToOuterDisposeScope();
    }

    /// <summary>Dense feature maps (B, D, H/s, W/s) of the <see cref="OutIndices"/> blocks, class tokens removed.</summary>
    public IReadOnlyList<Tensor> ForwardIntermediates(Tensor images)
    {
        if (!IsDense) throw new InvalidOperationException("this Vision Mamba was built for classification (options.Dense = false)");
        var maps = new Tensor[OutIndices.Count];
        using (var scope = NewDisposeScope())
        {
            var sequence = Embed(images, out var layout, out var grid);
            // The reference's residual feature of a block k below the last is the stream as block k+1 takes it in:
            // RoPE'd (with rope_residual) and with block k's output drop-path'ed, so it is taken from block k+1.
            // Without RoPE or dropping that is residual + hidden, with no extra block to run.
            var steps = pairs ? Depth / 2 : Depth;
            var fromNextBlock = featureSource == FeatureSource.Residual && !pairs && (rope is not null || (training && Options.DropPathRate > 0));
            var lastIndex = OutIndices.Max();
            RunLayers(sequence, grid, fromNextBlock && lastIndex < steps - 1 ? lastIndex + 1 : lastIndex, (index, hidden, residual) =>
            {
                for (var k = 0; k < OutIndices.Count; k++)
                {
                    var nextBlocksInput = fromNextBlock && OutIndices[k] == index - 1;
                    if (!nextBlocksInput && (OutIndices[k] != index || (fromNextBlock && index < steps - 1))) continue;
                    using var timed = Ops.OpProfiler.Scope(Ops.OpCategory.Layout);
                    using var feature = nextBlocksInput ? residual.alias() : featureSource switch
                    {
                        FeatureSource.Mixer => hidden.alias(),
                        FeatureSource.Residual => residual + hidden,
                        _ => FinalNorm(hidden, residual),
                    };
                    using var patches = layout.RemoveClassTokens(feature);
                    maps[k] = patches.reshape(patches.shape[0], EmbedDim, grid.Rows, grid.Cols).contiguous();
                    maps[k].MoveToOuterDisposeScope();
                }
            });
        }
        return maps;
    }

    /// <summary>Imports a Vim checkpoint (plain or {"model": ...}), adapted by <see cref="VimCheckpointAdapter"/>.</summary>
    public LoadReport Load(string checkpoint, bool strict = false) => VimCheckpointAdapter.LoadInto(this, checkpoint, strict);

    /// <summary>Patch embedding, class tokens and position embedding: the (B, D, L) input of the first block.</summary>
    internal Tensor Embed(Tensor images, out ClassTokenLayout layout, out (int Rows, int Cols) grid)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"images must be (B, 3, H, W), got [{string.Join(", ", images.shape)}]");
        using var scope = NewDisposeScope();
        Tensor map;
        using (Ops.OpProfiler.Scope(Ops.OpCategory.Gemm)) map = patch_embed.call(images);
        grid = ((int)map.shape[2], (int)map.shape[3]);
        var proj = patch_embed.Proj.weight!;
        Ops.OpProfiler.RecordGemm(proj.shape[0], proj.shape[1] * proj.shape[2] * proj.shape[3], grid.Rows * grid.Cols, images.shape[0]);
        using var timed = Ops.OpProfiler.Scope(Ops.OpCategory.Layout);   // class tokens, position embedding
        layout = new ClassTokenLayout(Placement, grid.Rows * grid.Cols);
        var classTokens = new[] { cls_token, cls_token_head, cls_token_tail }.Where(t => t is not null).Select(t => t!.transpose(1, 2)).ToArray();
        var sequence = layout.Insert(map.flatten(2), classTokens);
        if (pos_embed is not null) sequence = sequence + PositionEmbeddingFor(grid, layout).transpose(1, 2);
        return pos_drop.call(sequence).MoveToOuterDisposeScope();
    }

    /// <summary>pos_embed for another grid: class rows kept, patch rows resized bicubically.</summary>
    private Tensor PositionEmbeddingFor((int Rows, int Cols) grid, ClassTokenLayout layout)
    {
        if (grid == Grid) return pos_embed!.alias();
        var configured = new ClassTokenLayout(Placement, Grid.Rows * Grid.Cols);
        var (classRows, patchRows) = configured.SplitPositionRows(pos_embed!);
        using var resized = PositionEmbeddingResize.Resize(patchRows, Grid, grid);
        return layout.JoinPositionRows(classRows, resized);
    }

    /// <summary>
    /// Runs blocks 0..=<paramref name="lastIndex"/> (pairs of blocks with <see cref="VimOptions.BidirectionalPairs"/>,
    /// the second on the reversed sequence), calling <paramref name="onOutput"/>(index, hidden, residual) after each.
    /// Intermediate tensors are released as soon as the next block has consumed them, so peak memory stays at a few
    /// layers' worth of activations.
    /// </summary>
    private (Tensor Hidden, Tensor Residual) RunLayers(Tensor sequence, (int Rows, int Cols) grid, int lastIndex, Action<int, Tensor, Tensor>? onOutput)
    {
        Tensor hidden = sequence;
        Tensor? residual = null;
        var steps = pairs ? Depth / 2 : Depth;
        var drawsRandomNumbers = training && Options.DropPathRate > 0;
        for (var i = 0; i <= Math.Min(lastIndex, steps - 1); i++)
        {
            var step = i;
            Tensor newHidden, newResidual;
            if (!CheckpointLayers.Includes(i)) (newHidden, newResidual) = Step(step, hidden, residual, grid, releaseInputs: true);
            else
            {
                // The first block has no residual yet: its recomputed function takes the hidden state alone.
                var outputs = ActivationRecomputation.Run(inputs =>
                {
                    var (h, r) = Step(step, inputs[0], inputs.Length > 1 ? inputs[1] : null, grid);
                    return [h, r];
                }, residual is null ? [hidden] : [hidden, residual], drawsRandomNumbers, "model.backbone.checkpoint_layers");
                (newHidden, newResidual) = (outputs[0], outputs[1]);
            }
            hidden.Dispose();
            residual?.Dispose();
            (hidden, residual) = (newHidden, newResidual);
            onOutput?.Invoke(i, hidden, residual);
        }
        return (hidden, residual!);
    }

    /// <summary>
    /// Loop step <paramref name="i"/>: RoPE, then block i (or the pair 2i, 2i+1, the second on the reversed sequence).
    /// Leaves its inputs alive unless <paramref name="releaseInputs"/> (the caller owns them; recomputation reruns the
    /// step from them); a single block then frees them once it has consumed them.
    /// </summary>
    private (Tensor Hidden, Tensor Residual) Step(int i, Tensor hidden, Tensor? residual, (int Rows, int Cols) grid,
        bool releaseInputs = false)
    {
        var (rotated, rotatedResidual) = ApplyRope(hidden, residual, grid);
        using var rotatedOwned = ReferenceEquals(rotated, hidden) ? null : rotated;
        using var rotatedResidualOwned = ReferenceEquals(rotatedResidual, residual) ? null : rotatedResidual;
        if (!pairs) return ((VimBlock)layers[i]).Forward(rotated, rotatedResidual, releaseInputs);
        var (hf, rf) = ((VimBlock)layers[2 * i]).Forward(rotated, rotatedResidual);
        using var hiddenReversed = rotated.flip(2);
        using var residualReversed = rotatedResidual?.flip(2);
        var (hb, rb) = ((VimBlock)layers[2 * i + 1]).Forward(hiddenReversed, residualReversed);
        using (hf) using (rf) using (hb) using (rb) using (var hbBack = hb.flip(2)) using (var rbBack = rb.flip(2))
            return (hf + hbBack, rf + rbBack);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) rope?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>RoPE before a block (pair), as the reference's layer loop: hidden always, the residual with rope_residual (inputs untouched).</summary>
    private (Tensor Hidden, Tensor? Residual) ApplyRope(Tensor hidden, Tensor? residual, (int Rows, int Cols) grid)
    {
        if (rope is null) return (hidden, residual);
        var rotated = rope.Apply(hidden, grid);
        if (residual is null || !Options.RopeResidual) return (rotated, residual);
        return (rotated, rope.Apply(residual, grid));
    }

    private Tensor FinalNorm(Tensor hidden, Tensor residual)
    {
        if (norm_f is null) throw new InvalidOperationException("this model has no norm_f");
        using var dropped = drop_path.call(hidden);
        using var stream = residual + dropped;
        return norm_f.call(stream);
    }

    /// <summary>norm_f(residual + drop_path(hidden)) after the last block: (B, D, L).</summary>
    private Tensor FinalTokens(Tensor images, out ClassTokenLayout layout)
    {
        if (IsDense) throw new InvalidOperationException("this Vision Mamba was built for dense features (options.Dense = true)");
        var sequence = Embed(images, out layout, out var grid);
        var (hidden, residual) = RunLayers(sequence, grid, int.MaxValue, null);
        using (hidden) using (residual) return FinalNorm(hidden, residual);
    }
}
