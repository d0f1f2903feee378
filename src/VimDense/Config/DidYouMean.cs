namespace VimDense.Config;

/// <summary>
/// "did you mean 'X'?" for a mistyped name (a config key, a component type, a command): the accepted name closest by
/// edit distance (optimal string alignment: insertions, deletions, substitutions and swaps of neighbours, ignoring
/// case), when it is close enough to be a typo rather than another word.
/// </summary>
public static class DidYouMean
{
    /// <summary>The candidate closest to <paramref name="typed"/>, or null when none is within <see cref="MaxDistance"/>.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct().Order(StringComparer.Ordinal))
        {
            if (candidate == typed) continue;
            var distance = Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance) (best, bestDistance) = (candidate, distance);
        }
        return best is not null && bestDistance <= MaxDistance(typed) ? best : null;
    }

    /// <summary>"; did you mean 'X'?" for the closest candidate, or "" when none is close.</summary>
    public static string Suffix(string typed, IEnumerable<string> candidates) =>
        Closest(typed, candidates) is { } close ? $"; did you mean '{close}'?" : "";

    /// <summary>
    /// The most edits still taken for a typo of <paramref name="typed"/>: one per three characters (at least one, at most
    /// three), so "chanels" finds "channels" and "trian" finds "train" while "lr_typo" does not become "lr".
    /// </summary>
    public static int MaxDistance(string typed) => Math.Clamp(typed.Length / 3, 1, 3);

    /// <summary>Optimal string alignment distance: Levenshtein plus the swap of two neighbouring characters as one edit.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
