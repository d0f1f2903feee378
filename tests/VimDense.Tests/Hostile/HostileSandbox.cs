using Newtonsoft.Json.Linq;
using VimDense.Datasets.Synthetic;

namespace VimDense.Tests.Hostile;

/// <summary>
/// What the hostile-input cases start from, built once: small synthetic ADE20K and COCO sets, a tiny training config
/// over the ADE20K one (a one-block Vim, a few seconds per run) and a good two-iteration training checkpoint.
/// </summary>
internal sealed class HostileSandbox
{
    public HostileSandbox(string root)
    {
        Root = root;
        Ade = Path.Combine(root, "ade");
        Coco = Path.Combine(root, "coco");
        SyntheticAde20kWriter.Write(Ade, new SyntheticOptions { Images = 4, Classes = 8, Size = 32 });
        SyntheticCocoWriter.Write(Coco, new SyntheticOptions { Images = 4, Classes = 3, Size = 64 });
        Config = Path.Combine(root, "tiny.json");
        File.WriteAllText(Config, TinyConfig(Ade).ToString());
        Cases = Directory.CreateDirectory(Path.Combine(root, "cases")).FullName;
    }

    public string Root { get; }
    public string Ade { get; }
    public string Coco { get; }
    public string Config { get; }
    public string Cases { get; }

    /// <summary>A good training checkpoint (iteration 2), set by the baseline run.</summary>
    public string GoodCheckpoint => Path.Combine(Root, "good", "iter_2.safetensors");

    /// <summary>A copy of a data set folder for one case to break.</summary>
    public static string CopyOf(string source, string target)
    {
        foreach (var dir in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(source, target, StringComparison.Ordinal));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(source, target, StringComparison.Ordinal));
        return target;
    }

    /// <summary>A config with <paramref name="root"/> as data.root: one Vim block at 32², FCN heads, 2 iterations, a checkpoint each.</summary>
    public static JObject TinyConfig(string root) => JObject.Parse($$"""
        {
          "name": "tiny", "seed": 0,
          "model": {
            "num_classes": 8,
            "backbone": { "type": "vim_tiny", "options": { "img_size": 32, "depth": 1, "out_indices": [0] } },
            "neck": { "type": "feature2pyramid", "rescales": [4, 2, 1, 0.5], "norm": "BN" },
            "decode_head": { "type": "fcn", "channels": 16, "num_convs": 1 },
            "auxiliary_head": { "type": "fcn", "in_index": 0, "channels": 8, "num_convs": 1, "loss_weight": 0.4 }
          },
          "data": { "root": {{new JValue(root).ToString(Newtonsoft.Json.Formatting.None)}}, "scale": [64, 32], "ratio_range": [0.75, 1.5],
                    "crop_size": [32, 32], "batch_size": 2, "workers": 1 },
          "optimizer": { "lr": 1e-3 },
          "schedule": { "iterations": 2, "warmup_iters": 0 },
          "train": { "log_interval": 1, "checkpoint_interval": 1, "eval_interval": 0, "overlay_images": 0, "tensor_board": false },
          "test": { "mode": "whole" }
        }
        """);
}
