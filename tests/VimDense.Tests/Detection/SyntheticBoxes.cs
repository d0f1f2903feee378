using TorchSharp;
using VimDense.Heads.Detection;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>
/// Tiny synthetic detection images: 1–3 axis-aligned rectangles of a pure colour (class 0 red, 1 green,
/// 2 blue) on a grey, lightly noisy background; boxes and masks are exact.
/// </summary>
internal static class SyntheticBoxes
{
    public static (Tensor Images, List<Instances> Targets) Make(int count, int size, int seed)
    {
        var rng = new Random(seed);
        var images = new List<Tensor>();
        var targets = new List<Instances>();
        for (var n = 0; n < count; n++)
        {
            var pixels = new float[3 * size * size];
            for (var i = 0; i < pixels.Length; i++) pixels[i] = 110 + rng.Next(0, 30);
            var boxes = new List<float>();
            var classes = new List<long>();
            var masks = new List<byte[]>();
            var objects = 1 + n % 3;
            var attempts = 0;
            while (classes.Count < objects && attempts++ < 200)
            {
                int w = rng.Next(20, 60), h = rng.Next(20, 60), x = rng.Next(0, size - w), y = rng.Next(0, size - h);
                // Keep objects apart so that every one stays fully visible.
                var overlaps = Enumerable.Range(0, classes.Count).Any(k =>
                    x < boxes[k * 4 + 2] + 4 && boxes[k * 4] < x + w + 4 && y < boxes[k * 4 + 3] + 4 && boxes[k * 4 + 1] < y + h + 4);
                if (overlaps) continue;
                var cls = rng.Next(3);
                var mask = new byte[size * size];
                for (var yy = y; yy < y + h; yy++)
                for (var xx = x; xx < x + w; xx++)
                {
                    for (var c = 0; c < 3; c++) pixels[(c * size + yy) * size + xx] = c == cls ? 230 : 20;
                    mask[yy * size + xx] = 1;
                }
                boxes.AddRange([x, y, x + w, y + h]);
                classes.Add(cls);
                masks.Add(mask);
            }
            images.Add(tensor(pixels).reshape(3, size, size));
            targets.Add(new Instances
            {
                Boxes = tensor(boxes.ToArray()).reshape(-1, 4),
                Classes = tensor(classes.ToArray()),
                Masks = stack(masks.Select(m => tensor(m).reshape(size, size)).ToList()),
            });
        }
        return (stack(images), targets);
    }
}
