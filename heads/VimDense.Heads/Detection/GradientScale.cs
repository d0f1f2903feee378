using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>Identity in the forward pass, gradient multiplied by a factor in the backward pass.</summary>
public static class GradientScale
{
    /// <summary>
    /// Returns a tensor equal to <paramref name="x"/> whose gradient reaches <paramref name="x"/> scaled by
    /// <paramref name="scale"/>: x.detach() + (x − x.detach())·scale; the second term is exactly zero in value.
    /// </summary>
    public static Tensor Apply(Tensor x, double scale)
    {
        if (!x.requires_grad) return x;
        using var scope = NewDisposeScope();   // the two terms are not needed by backward
        var constant = x.detach();
        return (constant + (x - constant) * scale).MoveToOuterDisposeScope();
    }
}
