namespace VimDense.Config;

/// <summary>What training does with a sample that cannot be used (config key data.on_bad_sample).</summary>
public enum BadSamplePolicy
{
    /// <summary>Stop with one line naming the file (the default: a broken data set is found at once).</summary>
    Error,
    /// <summary>Leave the sample out and count it; the counts are logged (per epoch, and at indexing for missing files).</summary>
    Skip,
}
