using System.Buffers.Binary;
using System.Text;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// NumPy scalars and arrays (as timm/mmcv-style checkpoints carry in their metadata) are decoded as data,
/// spelled exactly as NumPy's __reduce__ pickles them with protocol 2.
/// </summary>
public class NumpyPickleTests
{
    private static void DType(PickleBuilder p, string kind, string order) =>
        p.Global("numpy", "dtype").Mark().Str(kind).Bool(false).Bool(true).Tuple().Reduce()
            .Mark().Int(3).Str(order).None().None().None().Int(-1).Int(-1).Int(0).Tuple().Build();

    private static void Bytes(PickleBuilder p, byte[] bytes) =>
        p.Global("_codecs", "encode").Mark().Str(Encoding.Latin1.GetString(bytes)).Str("latin1").Tuple().Reduce();

    private static void Scalar(PickleBuilder p, string module, string kind, string order, byte[] bytes)
    {
        p.Global(module, "scalar").Mark();
        DType(p, kind, order);
        Bytes(p, bytes);
        p.Tuple().Reduce();
    }

    [Fact]
    public void ScalarsAndArraysBecomePlainValuesAndTensors()
    {
        var w = new TorchZipWriter();
        var p = w.Pickle;
        p.EmptyDict().Mark();
        p.Str("model");
        w.OrderedDict();
        p.Mark().Str("w");
        w.Tensor(ones(2));
        p.SetItems();
        var f8 = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(f8, 81.25);
        p.Str("best_acc"); Scalar(p, "numpy.core.multiarray", "f8", "<", f8);
        p.Str("seed"); Scalar(p, "numpy._core.multiarray", "i8", "<", BitConverter.GetBytes(-42L));
        p.Str("flag"); Scalar(p, "numpy.core.multiarray", "b1", "|", [1]);
        // A Fortran-ordered (2, 3) float32 array: memory holds the columns.
        var data = new byte[24];
        float[] columns = [0, 10, 1, 11, 2, 12];
        for (var i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), columns[i]);
        p.Str("palette").Global("numpy.core.multiarray", "_reconstruct").Mark().Global("numpy", "ndarray")
            .Mark().Int(0).Tuple();
        Bytes(p, "b"u8.ToArray());
        p.Tuple().Reduce();
        p.Mark().Int(1).IntTuple([2, 3]);
        DType(p, "f4", "<");
        p.Bool(true);
        Bytes(p, data);
        p.Tuple().Build();
        p.SetItems();
        var path = Path.Combine(TestPaths.NewTempDir(), "numpy.pth");
        w.Save(path);

        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(path));
        Assert.Equal(81.25, graph["best_acc"]);
        Assert.Equal(-42L, graph["seed"]);
        Assert.Equal(true, graph["flag"]);
        var palette = Assert.IsType<Tensor>(graph["palette"]);
        Assert.Equal([2L, 3], palette.shape);
        Assert.Equal(new float[] { 0, 1, 2, 10, 11, 12 }, palette.data<float>().ToArray());
        Assert.Equal(["w"], TorchCheckpoint.LoadStateDict(path).Keys); // found under "model"
    }

    [Fact]
    public void BigEndianScalarIsRefused()
    {
        var w = new TorchZipWriter();
        w.Pickle.EmptyDict().Str("x");
        Scalar(w.Pickle, "numpy.core.multiarray", "f8", ">", new byte[8]);
        w.Pickle.SetItem();
        var path = Path.Combine(TestPaths.NewTempDir(), "be.pth");
        w.Save(path);
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("big-endian", error.Message);
        Assert.Contains(path, error.Message);
    }
}
