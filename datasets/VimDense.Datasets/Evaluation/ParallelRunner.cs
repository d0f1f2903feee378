using System.Runtime.ExceptionServices;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Parallel.For that rethrows the first failure itself instead of an AggregateException, so that input errors
/// (InvalidDataException naming a file) reach the user as they are.
/// </summary>
public static class ParallelRunner
{
    public static void For(int count, Action<int> body) => For(count, body, -1);

    /// <param name="maxDegreeOfParallelism">At most this many bodies at once (-1: as many as the scheduler likes).</param>
    public static void For(int count, Action<int> body, int maxDegreeOfParallelism)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
