namespace VimDense.Experiments;

/// <summary>
/// The keys of the config's test section that say how `eval` and `predict` run: on which split, whether they score,
/// in what precision (the rest of the section is the task's inference options). <see cref="FormatOnly"/> is mmseg's / mmdet's format_only: predictions are
/// written in the form the data set's own tools and servers take (ADE20K label PNGs, COCO results JSON) and nothing is
/// scored, so the split needs no annotations (ADE20K's testing images, COCO test-dev's image-info file).
/// </summary>
public sealed record TestRunOptions
{
    /// <summary>Evaluation and prediction precision: fp32 (default) or bf16/fp16 under <see cref="VimDense.Layers.Autocast"/>.</summary>
    public VimDense.Engine.Precision Precision { get; init; } = VimDense.Engine.Precision.Fp32;

    /// <summary>Write the predictions without scoring them (also `eval --format-only`).</summary>
    public bool FormatOnly { get; init; }

    /// <summary>The split format-only runs on (ADE-layout: images/&lt;split&gt;/*.jpg; COCO: &lt;root&gt;/&lt;split&gt;/); null: data.val_split.</summary>
    public string? Split { get; init; }

    /// <summary>
    /// Detection, format-only: the image list, an instances or image-info file (images and categories; annotations
    /// may be absent), relative to data.root; null: annotations/instances_&lt;split&gt;.json.
    /// </summary>
    public string? AnnFile { get; init; }

    /// <summary>
    /// These keys of <paramref name="test"/>, the task's <typeparamref name="TInference"/> keys aside: every key that
    /// record writes (print-config's output includes its read-only ones), not only those it binds.
    /// </summary>
    internal static TestRunOptions Of<TInference>(VimDense.Config.ConfigSection test) where TInference : new() =>
        test.Bind<TestRunOptions>(VimDense.Config.ConfigBinding.KeysOf<TInference>()
            .Concat(VimDense.Config.ConfigBinding.ToJson(new TInference()).Properties().Select(p => p.Name)).Distinct().ToArray());
}
