using System.Text;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;
using VimDense.Engine.Distributed;

namespace VimDense.Experiments;

/// <summary>
/// COCO results of an evaluation split across ranks, gathered on every rank: each rank's results travel as the
/// results JSON (<see cref="CocoResultsWriter"/>, doubles written round-trip exactly) and are put back in the order
/// one process produces them (image by image in data-set order), so the scores equal a one-process evaluation's.
/// </summary>
public static class GatheredCocoResults
{
    public static List<CocoAnnotation> Gather(IProcessGroup ranks, List<CocoAnnotation> local, IReadOnlyList<long> imageOrder)
    {
        using var text = new StringWriter();
        CocoResultsWriter.Write(text, local, includeBoxes: true, includeMasks: true);
        var parts = ranks.AllGatherBytes(Encoding.UTF8.GetBytes(text.ToString()));
        var all = new List<CocoAnnotation>();
        var file = Path.Combine(Path.GetTempPath(), $"vimdense-gather-{Environment.ProcessId}.json");
        try
        {
            foreach (var part in parts)
            {
                File.WriteAllBytes(file, part);
                all.AddRange(CocoJsonReader.ReadResults(file));
            }
        }
        finally
        {
            File.Delete(file);
        }
        var position = imageOrder.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        return all.OrderBy(r => position.GetValueOrDefault(r.ImageId, int.MaxValue)).ToList(); // stable: an image's results keep their order
    }
}
