using VimDense.Datasets;
using VimDense.Datasets.Loading;
using static TorchSharp.torch;

namespace VimDense.Tests.Datasets;

public class LoaderTests(SyntheticDataFixture data) : IClassFixture<SyntheticDataFixture>
{
    private static List<(float[] Images, long[] Labels, string[] Names)> Take(DataLoader<SegmentationSample, SegmentationBatch> loader, int count)
    {
        var result = new List<(float[], long[], string[])>();
        using (loader)
            for (var i = 0; i < count; i++)
            {
                using var batch = loader.Next()!;
                result.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.Samples.Select(s => s.Name).ToArray()));
            }
        return result;
    }

    private DataLoader<SegmentationSample, SegmentationBatch> SegLoader(int workers, SamplerState start = default) =>
        DataSetup.SegmentationLoader(DataSetup.Ade20k(data.Ade20kRoot, "training", train: true, cropSize: 32),
            new DataLoaderOptions { BatchSize = 5, Workers = workers, Seed = 42, Start = start }, train: true);

    [Fact]
    public void SameBatchesForOneAndTwoWorkers()
    {
        // 12 images, batches of 5: batch 2 crosses into epoch 1, so the per-epoch reshuffle is covered too.
        var one = Take(SegLoader(1), 4);
        var two = Take(SegLoader(2), 4);
        for (var b = 0; b < one.Count; b++)
        {
            Assert.Equal(one[b].Names, two[b].Names);
            Assert.Equal(one[b].Images, two[b].Images);
            Assert.Equal(one[b].Labels, two[b].Labels);
        }
        Assert.NotEqual(one[0].Names, one[3].Names.Take(5).ToArray());
    }

    [Fact]
    public void ResumingFromTheStateContinuesTheStream()
    {
        SamplerState state;
        List<(float[] Images, long[] Labels, string[] Names)> full;
        using (var loader = SegLoader(2))
        {
            loader.Next()!.Dispose();
            loader.Next()!.Dispose();
            state = loader.State;
        }
        Assert.Equal(new SamplerState(0, 10), state);
        full = Take(SegLoader(1), 4);
        var resumed = Take(SegLoader(2, state), 2);
        Assert.Equal(full[2].Names, resumed[0].Names);
        Assert.Equal(full[3].Images, resumed[1].Images);
    }

    [Fact]
    public void SegmentationBatchShapesAndTypes()
    {
        using var loader = SegLoader(2);
        using var batch = loader.Next()!;
        Assert.Equal(new long[] { 5, 3, 32, 32 }, batch.Images.shape);
        Assert.Equal(new long[] { 5, 32, 32 }, batch.Labels.shape);
        Assert.Equal(ScalarType.Float32, batch.Images.dtype);
        Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
        var labels = batch.Labels.data<long>().ToArray();
        Assert.All(labels, v => Assert.True(v is >= 0 and < 6 or 255));
        Assert.Contains(labels, v => v < 6);
    }

    [Fact]
    public void EvaluationPassVisitsEverySampleOnceInOrder()
    {
        var dataset = DataSetup.Ade20k(data.Ade20kRoot, "validation", train: false, cropSize: 32);
        using var loader = DataSetup.SegmentationLoader(dataset, new DataLoaderOptions { BatchSize = 2, Workers = 2 }, train: false);
        var names = new List<string>();
        while (loader.Next() is { } batch)
            using (batch)
            {
                names.AddRange(batch.Samples.Select(s => s.Name));
                // Labels stay at the original size: the batch holds the largest label map.
                Assert.Equal(batch.Samples.Max(s => s.LabelHeight), (int)batch.Labels.shape[1]);
            }
        Assert.Equal(Enumerable.Range(0, dataset.Count).Select(i => dataset.Files(i).Name), names);
    }

    [Fact]
    public void SamplerPermutesEachEpochAndResumes()
    {
        var sampler = new InfiniteSampler(7, seed: 5);
        var first = Enumerable.Range(0, 7).Select(_ => sampler.Next()).ToList();
        Assert.All(first, x => Assert.Equal(0, x.Epoch));
        Assert.Equal(Enumerable.Range(0, 7), first.Select(x => x.Index).Order());
        var second = Enumerable.Range(0, 7).Select(_ => sampler.Next().Index).ToList();
        Assert.NotEqual(first.Select(x => x.Index), second);
        Assert.Equal(new SamplerState(1, 7), sampler.State);
        var resumed = new InfiniteSampler(7, seed: 5, start: new SamplerState(1, 3));
        Assert.Equal(second.Skip(3), Enumerable.Range(0, 4).Select(_ => resumed.Next().Index));
    }

    [Fact]
    public void DetectionBatchesAreIdenticalForOneAndTwoWorkers()
    {
        List<(float[] Images, float[][] Boxes, long[][] Classes)> Run(int workers)
        {
            var dataset = DataSetup.Coco(data.CocoRoot, "train2017", train: true, imageSize: 48);
            using var loader = DataSetup.DetectionLoader(dataset, new DataLoaderOptions { BatchSize = 3, Workers = workers, Seed = 9 },
                train: true, imageSize: 48, withMasks: true);
            var result = new List<(float[], float[][], long[][])>();
            for (var i = 0; i < 3; i++)
            {
                using var batch = loader.Next()!;
                Assert.Equal(new long[] { 3, 3, 48, 48 }, batch.Images.shape);
                foreach (var t in batch.Targets)
                {
                    Assert.Equal(t.Classes.shape[0], t.Boxes.shape[0]);
                    Assert.Equal(t.Boxes.shape[0], t.GtMasks!.Count);
                }
                result.Add((batch.Images.data<float>().ToArray(),
                    batch.Targets.Select(t => t.Boxes.data<float>().ToArray()).ToArray(),
                    batch.Targets.Select(t => t.Classes.data<long>().ToArray()).ToArray()));
            }
            return result;
        }
        var one = Run(1);
        var two = Run(2);
        for (var b = 0; b < one.Count; b++)
        {
            Assert.Equal(one[b].Images, two[b].Images);
            Assert.Equal(one[b].Boxes, two[b].Boxes);
            Assert.Equal(one[b].Classes, two[b].Classes);
        }
    }
}
