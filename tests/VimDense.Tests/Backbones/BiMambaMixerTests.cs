using VimDense.Backbones;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>
/// The mixer (native kernels, reverse flags) against the reference formulation written with the pure
/// TorchSharp reference ops and explicit flips: out_b = f(xz.flip(-1)).flip(-1), y = (out + out_b) / 2.
/// </summary>
public sealed class BiMambaMixerTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchesTheFlipComputeFlipReference(bool bidirectional)
    {
        manual_seed(4);
        using var mixer = new BiMambaMixer(32, bidirectional: bidirectional);
        var w = mixer.state_dict();
        using (no_grad()) foreach (var key in new[] { "D", "D_b", "dt_proj_b.bias", "conv1d.bias" }) if (w.ContainsKey(key)) w[key].normal_(0, 0.5);
        using var h = randn(2, 32, 21);
        using var noGrad = no_grad();
        using var actual = mixer.forward(h);

        var xz = matmul(w["in_proj.weight"], h);
        Tensor Direction(Tensor xzIn, string s)
        {
            var x = xzIn.narrow(1, 0, 64);
            var z = xzIn.narrow(1, 64, 64);
            var xc = CausalConv1dReference.Apply(x, w[$"conv1d{s}.weight"].squeeze(1), w[$"conv1d{s}.bias"], silu: true);
            var xDbl = matmul(xc.transpose(1, 2), w[$"x_proj{s}.weight"].t());          // (B, L, R + 2N)
            var delta = matmul(xDbl.narrow(2, 0, 2), w[$"dt_proj{s}.weight"].t()).transpose(1, 2);
            var b = xDbl.narrow(2, 2, 16).transpose(1, 2).unsqueeze(1);
            var c = xDbl.narrow(2, 18, 16).transpose(1, 2).unsqueeze(1);
            var a = -w[$"A{(s == "" ? "" : "_b")}_log"].exp();
            return SelectiveScanReference.Apply(xc, delta, a, b.contiguous(), c.contiguous(), w[s == "" ? "D" : "D_b"], z,
                w[$"dt_proj{s}.bias"], deltaSoftplus: true);
        }
        var y = Direction(xz, "");
        if (bidirectional) y = (y + Direction(xz.flip(2), "_b").flip(2)) / 2;
        using var expected = matmul(w["out_proj.weight"], y);
        VimFixtureTests.AssertClose(expected, actual, 1e-5);
    }

    [Fact]
    public void GradientsReachBothDirections()
    {
        manual_seed(6);
        using var model = (VisionMamba)BackboneFactory.Create("vim_tiny",
            new VimOptions { Dense = true, Depth = 2, ImgSize = 32, OutIndices = [1], DropPathRate = 0.1 });
        model.train();
        using var images = randn(2, 3, 32, 32);
        var maps = model.ForwardIntermediates(images);
        using var loss = maps[0].square().mean();
        loss.backward();
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        foreach (var name in new[] { "layers.0.mixer.A_log", "layers.0.mixer.A_b_log", "layers.0.mixer.conv1d_b.weight",
                     "layers.1.mixer.dt_proj_b.bias", "layers.0.mixer.in_proj.weight", "pos_embed", "patch_embed.proj.weight" })
        {
            var grad = p[name].grad;
            Assert.True(grad is not null && grad.abs().sum().item<float>() > 0, $"{name} has no gradient");
        }
    }
}
