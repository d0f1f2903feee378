namespace VimDense.Datasets.Synthetic;

/// <summary>
/// The look of a synthetic class: a colour spread around the hue circle by the golden angle (so neighbouring
/// ids differ strongly) and one of six textures, so that a small model can tell classes apart even after
/// photometric distortion shifts hues.
/// </summary>
public static class SyntheticStyle
{
    /// <summary>BGR colour of class <paramref name="classIndex"/>.</summary>
    public static (byte B, byte G, byte R) Colour(int classIndex)
    {
        var hue = classIndex * 137.508 % 360.0;
        var saturation = classIndex % 3 == 2 ? 0.45 : 0.85;
        var value = classIndex % 2 == 0 ? 0.92 : 0.6;
        return HsvToBgr(hue, saturation, value);
    }

    /// <summary>Texture modulation in [-1, 1] of class <paramref name="classIndex"/> at pixel (x, y).</summary>
    public static double Texture(int classIndex, int x, int y) => (classIndex % 6) switch
    {
        0 => 0.0,
        1 => (y / 3) % 2 == 0 ? 1 : -1,                 // horizontal stripes
        2 => (x / 3) % 2 == 0 ? 1 : -1,                 // vertical stripes
        3 => ((x / 4) + (y / 4)) % 2 == 0 ? 1 : -1,     // checkerboard
        4 => ((x + y) / 3) % 2 == 0 ? 1 : -1,           // diagonal stripes
        _ => (x % 5 < 2 && y % 5 < 2) ? 1 : -0.3,       // dots
    };

    private static (byte, byte, byte) HsvToBgr(double h, double s, double v)
    {
        var c = v * s;
        var hp = h / 60.0;
        var x = c * (1 - Math.Abs(hp % 2 - 1));
        var (r, g, b) = (int)hp switch
        {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        var m = v - c;
        static byte Q(double t) => (byte)Math.Clamp(Math.Round(t * 255), 0, 255);
        return (Q(b + m), Q(g + m), Q(r + m));
    }
}
