using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// The box predictor of one cascade stage: class logits (K + 1, background last; init std 0.01) and
/// class-agnostic box deltas (4; init std 0.001), with the stage's box coder and loss.
/// </summary>
public sealed class FastRcnnOutputLayers : nn.Module<Tensor, (Tensor Logits, Tensor Deltas)>
{
    private readonly Linear cls_score;
    private readonly Linear bbox_pred;

    public FastRcnnOutputLayers(int inputDim, int numClasses, Box2BoxTransform coder) : base(nameof(FastRcnnOutputLayers))
    {
        NumClasses = numClasses;
        Coder = coder;
        cls_score = nn.Linear(inputDim, numClasses + 1);
        bbox_pred = nn.Linear(inputDim, 4);
        RegisterComponents();
        using (no_grad())
        {
            nn.init.normal_(cls_score.weight, 0, 0.01);
            nn.init.normal_(bbox_pred.weight, 0, 0.001);
            nn.init.zeros_(cls_score.bias!);
            nn.init.zeros_(bbox_pred.bias!);
        }
    }

    public int NumClasses { get; }
    public Box2BoxTransform Coder { get; }

    public override (Tensor Logits, Tensor Deltas) forward(Tensor x) => (cls_score.call(x), bbox_pred.call(x));

    /// <summary>
    /// Cross-entropy averaged over all R boxes, plus L1 between predicted and target deltas summed over
    /// the foreground boxes and divided by R (detectron2's normalisation).
    /// </summary>
    public (Tensor Cls, Tensor Box) Losses(Tensor logits, Tensor deltas, Tensor boxes, Tensor gtClasses, Tensor gtBoxes)
    {
        long count = Math.Max(gtClasses.shape[0], 1);
        var cls = gtClasses.shape[0] == 0 ? logits.sum() * 0 : nn.functional.cross_entropy(logits, gtClasses);
        var foreground = gtClasses.ge(0).logical_and(gtClasses.lt(NumClasses));
        Tensor box;
        if (foreground.any().item<bool>())
        {
            Tensor target;
            using (no_grad()) target = Coder.GetDeltas(boxes[foreground], gtBoxes[foreground]);
            box = nn.functional.l1_loss(deltas[foreground], target, reduction: nn.Reduction.Sum) / count;
        }
        else box = deltas.sum() * 0;
        return (cls, box);
    }
}
