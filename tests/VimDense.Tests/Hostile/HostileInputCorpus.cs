using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using VimDense.Checkpoints;
using VimDense.Tests.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Hostile;

/// <summary>
/// Careless and hostile inputs beyond checkpoints (issue 16), each a small file made at test time: config faults
/// (more of them in-process in ConfigValidationTests), truncated and tampered training checkpoints, a run whose state
/// becomes non-finite, bad COCO training annotations, image bombs, devices and files named for the wrong format,
/// synthetic data over a user's folder, outputs that are directories, a truncated ground truth, a pretrained file of
/// another model. Exit codes: 1 bad input, 3 non-finite training, 4 I/O (see ExitCodes in the CLI).
/// </summary>
internal static class HostileInputCorpus
{
    private static string[] Train(HostileSandbox s, string dir, params string[] sets) =>
        ["train", s.Config, "--work-dir", Path.Combine(dir, "w"), .. sets.SelectMany(set => new[] { "--set", set })];

    private static string[] Show(string kind, string root, string dir) => ["show", kind, root, "--output", Path.Combine(dir, "x.png")];

    public static IReadOnlyList<HostileInput> Cases { get; } =
    [
        new("config-zero-checkpoint-interval", (s, d) => Train(s, d, "train.checkpoint_interval=0"), 1,
            "train.checkpoint_interval = 0 (from --set train.checkpoint_interval=0): must be >= 1"),
        new("config-fractional-integer-in-file", (s, d) => ["train", Write(d, "c.json", $$"""{ "base": "{{s.Config}}", "data": { "batch_size": 8.5 } }"""), "--work-dir", Path.Combine(d, "w")], 1,
            "c.json): bad value: expected an integer, found 8.5"),
        new("config-mean-of-one-value", (s, d) => Train(s, d, "data.mean=[1]"), 1, "data.mean = [1] (from --set data.mean=[1]): must hold 3 values"),
        new("config-negative-iterations", (s, d) => Train(s, d, "schedule.iterations=-5"), 1, "schedule.iterations = -5"),
        new("config-zero-test-stride", (s, d) => Train(s, d, "test.mode=slide", "test.crop_size=32", "test.stride=0"), 1, "test.stride = 0"),
        new("config-is-a-fifo", (_, d) => { HostileCheckpointCorpus.MakeFifo(Path.Combine(d, "c.json")); return ["train", Path.Combine(d, "c.json")]; }, 1,
            "not a regular file"),
        new("eval-truncated-checkpoint", (s, d) => ["eval", s.Config, "--checkpoint", Truncated(s.GoodCheckpoint, Path.Combine(d, "t.safetensors"))], 1,
            "past the end of the file"),
        new("resume-truncated-checkpoint", (s, d) => Resume(s, d, path => Truncated(s.GoodCheckpoint, path)), 1, "past the end of the file", "w"),
        new("resume-tampered-iteration", (s, d) => Resume(s, d, path => Tampered(s.GoodCheckpoint, path,
            h => h.Replace("\"iteration\":\"2\"", "\"iteration\":\"x\"", StringComparison.Ordinal))), 1, "metadata field 'iteration' is 'x'", "w"),
        new("resume-tampered-data-state", (s, d) => Resume(s, d, path => Tampered(s.GoodCheckpoint, path,
            h => Regex.Replace(h, "\"data_state\":\"[0-9]+,[0-9]+\"", "\"data_state\":\"x\""))), 1, "metadata field 'data_state' is 'x'", "w"),
        new("resume-tampered-rng-state", (s, d) => Resume(s, d, path => Tampered(s.GoodCheckpoint, path, h => Regex.Replace(h,
            "\"rng\\.torch\":\\{\"dtype\":\"U8\",\"shape\":\\[[0-9]+\\],\"data_offsets\":\\[([0-9]+),[0-9]+\\]\\}",
            m => $"\"rng.torch\":{{\"dtype\":\"U8\",\"shape\":[16],\"data_offsets\":[{m.Groups[1].Value},{long.Parse(m.Groups[1].Value) + 16}]}}"))), 1,
            "tensor 'rng.torch' is Byte [16]", "w"),
        new("train-diverges", (s, d) => Train(s, d, "optimizer.lr=10000", "optimizer.grad_clip=null", "schedule.iterations=4"), 3,
            "Last good checkpoint", "w"),
        new("coco-nan-box", (s, d) => Show("coco", Coco(s, d, a => a[0]["bbox"]![0] = "NaN-PLACEHOLDER"), d), 1, "field 'bbox'"),
        new("coco-duplicate-annotation-id", (s, d) => Show("coco", Coco(s, d, a => a[1]["id"] = a[0]["id"]), d), 1, "duplicate annotation id"),
        new("coco-iscrowd-yes", (s, d) => Show("coco", Coco(s, d, a => a[0]["iscrowd"] = "yes"), d), 1, "field 'iscrowd' must be 0/1"),
        new("coco-missing-image", (s, d) =>
        {
            var root = Coco(s, d, _ => { });
            File.Delete(Directory.GetFiles(Path.Combine(root, "train2017")).Order().First());
            return Show("coco", root, d);
        }, 1, "image file not found (1 of the"),
        new("ade-missing-annotation", (s, d) =>
        {
            var root = HostileSandbox.CopyOf(s.Ade, Path.Combine(d, "ade"));
            File.Delete(Directory.GetFiles(Path.Combine(root, "annotations", "training")).Order().First());
            return Train(s, d, $"data.root={root}");
        }, 1, "annotation missing for image", "w"),
        new("image-bomb-header", (s, d) => Show("ade20k", AdeWithImage(s, d, path => File.WriteAllBytes(path, PngHeader(100_000, 100_000))), d), 1,
            "100000x100000 = 10000000000 pixels is above the limit of 67108864 (data.max_image_pixels)"),
        new("miou-label-bomb-header", (_, d) =>
        {
            var (gt, pred) = (Directory.CreateDirectory(Path.Combine(d, "gt")).FullName, Directory.CreateDirectory(Path.Combine(d, "pred")).FullName);
            File.WriteAllBytes(Path.Combine(gt, "a.png"), PngHeader(100_000, 100_000));
            File.WriteAllBytes(Path.Combine(pred, "a.png"), PngHeader(100_000, 100_000));
            return ["miou", "--gt", gt, "--pred", pred];
        }, 1, "100000x100000 = 10000000000 pixels is above the limit"),
        new("image-linked-to-dev-zero", (s, d) => Show("ade20k", AdeWithImage(s, d, path => File.CreateSymbolicLink(path, "/dev/zero")), d), 1,
            "not a regular file"),
        new("image-text-named-jpg", (s, d) => Show("ade20k", AdeWithImage(s, d, path => File.WriteAllText(path, "not an image")), d), 1,
            "not a JPEG, PNG or BMP image (judged by its content"),
        new("make-synthetic-into-user-folder", (_, d) => ["make-synthetic", "ade20k", UserFolder(d)], 1, "not empty and not a VimDense synthetic data set"),
        new("demo-synthetic-over-user-folder", (s, d) => Train(s, d, $"data.root={UserFolder(d)}", "data.synthetic={}"), 1,
            "refusing to write synthetic data over it", "w"),
        new("show-output-is-a-directory", (s, d) => ["show", "ade20k", s.Ade, "--output", d], 4, "is a directory; expected the path of a PNG file"),
        new("features-output-is-a-directory", (s, d) => ["features", "--model", "vim_tiny", "--checkpoint", s.GoodCheckpoint, "--input", "x.npy", "--output", d], 4,
            "is a directory"),
        new("cocoeval-truncated-ground-truth", (s, d) =>
        {
            var gt = Path.Combine(d, "gt.json");
            File.WriteAllText(gt, File.ReadAllText(Path.Combine(s.Coco, "annotations", "instances_val2017.json"))[..300]);
            return ["cocoeval", "--gt", gt, "--dt", gt, "--iou-type", "bbox"];
        }, 1, "gt.json: "),
        new("pretrained-of-another-model", (s, d) =>
        {
            var other = Path.Combine(d, "other.safetensors");
            using (var t = zeros(4, 4)) SafeTensors.Save(other, new Dictionary<string, Tensor> { ["classifier.weight"] = t });
            return Train(s, d, $"model.backbone.pretrained={other}");
        }, 1, "matches none of the backbone's", "w"),
        new("show-size-zero", (s, d) => ["show", "ade20k", s.Ade, "--size", "0", "--output", Path.Combine(d, "x.png")], 1, "--size 0: must be >= 16"),
        new("features-8x8-input", (s, d) => ["features", "--model", "vim_tiny", "--checkpoint", s.GoodCheckpoint, "--input", Npy(d, 8), "--output", Path.Combine(d, "f.npy")], 1,
            "images of 8x8 are smaller than one 16x16 patch"),
    ];

    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Resume(HostileSandbox s, string dir, Action<string> writeCheckpoint)
    {
        var work = Directory.CreateDirectory(Path.Combine(dir, "w")).FullName;
        writeCheckpoint(Path.Combine(work, "iter_2.safetensors"));
        File.WriteAllText(Path.Combine(work, "last_checkpoint"), "iter_2.safetensors");
        return [.. Train(s, dir, "schedule.iterations=3"), "--resume"];
    }

    private static string Truncated(string source, string path)
    {
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }

    /// <summary>A copy of a safetensors file whose JSON header text <paramref name="edit"/> changed (padded to the same length, data untouched).</summary>
    private static void Tampered(string source, string path, Func<string, string> edit)
    {
        var bytes = File.ReadAllBytes(source);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var original = Encoding.UTF8.GetString(bytes, 8, length);
        var json = Encoding.UTF8.GetBytes(edit(original));
        Assert.True(json.Length <= length && json.Length != 0, "the tampered header must not be longer");
        Assert.NotEqual(original, Encoding.UTF8.GetString(json));
        var padded = json.Concat(Enumerable.Repeat((byte)' ', length - json.Length)).ToArray();
        File.WriteAllBytes(path, [.. bytes[..8], .. padded, .. bytes[(8 + length)..]]);
    }

    /// <summary>A copy of the COCO set whose training annotations <paramref name="edit"/> changed.</summary>
    private static string Coco(HostileSandbox s, string dir, Action<JArray> edit)
    {
        var root = HostileSandbox.CopyOf(s.Coco, Path.Combine(dir, "coco"));
        var file = Path.Combine(root, "annotations", "instances_train2017.json");
        var json = JObject.Parse(File.ReadAllText(file));
        edit((JArray)json["annotations"]!);
        // JSON has no NaN; Python's json.dump writes it bare, as here.
        File.WriteAllText(file, json.ToString(Newtonsoft.Json.Formatting.None).Replace("\"NaN-PLACEHOLDER\"", "NaN", StringComparison.Ordinal));
        return root;
    }

    /// <summary>A copy of the ADE20K set whose first training image <paramref name="replace"/> rewrote.</summary>
    private static string AdeWithImage(HostileSandbox s, string dir, Action<string> replace)
    {
        var root = HostileSandbox.CopyOf(s.Ade, Path.Combine(dir, "ade"));
        var image = Directory.GetFiles(Path.Combine(root, "images", "training")).Order().First();
        File.Delete(image);
        replace(image);
        return root;
    }

    private static string UserFolder(string dir)
    {
        var folder = Directory.CreateDirectory(Path.Combine(dir, "my_data")).FullName;
        File.WriteAllText(Path.Combine(folder, "thesis.txt"), "months of work");
        return folder;
    }

    /// <summary>A PNG signature and IHDR chunk claiming <paramref name="width"/>×<paramref name="height"/>, then IEND: 45 bytes.</summary>
    private static byte[] PngHeader(uint width, uint height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        var crc32 = new IO.ZipCrc32(); // PNG's CRC is zip's CRC-32
        crc32.Update(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, crc32.Value);
        return [.. length, .. typed, .. crc];
    }

    private static string Npy(string dir, int size)
    {
        var path = Path.Combine(dir, "x.npy");
        using var images = zeros(1, 3, size, size);
        IO.NpyFile.Write(path, images);
        return path;
    }
}
