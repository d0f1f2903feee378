using System.CommandLine;
using VimDense.Datasets.Synthetic;

namespace VimDense.Cli.Commands;

/// <summary>`vimdense make-synthetic ade20k|coco DIR`: writes a small procedurally drawn data set.</summary>
public sealed class MakeSyntheticCommand : ICliCommand
{
    public Command Build()
    {
        var kind = new Argument<string>("kind") { Description = "ade20k or coco" };
        var dir = new Argument<string>("dir") { Description = "output folder (created)" };
        var images = new Option<int>("--images") { Description = "training images (validation gets a quarter, >= 2)", DefaultValueFactory = _ => 32 };
        var classes = new Option<int>("--classes") { Description = "number of classes (first K ADE20K / COCO names)", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "nominal image size in pixels", DefaultValueFactory = _ => 96 };
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 0 };
        var command = new Command("make-synthetic", "Write a synthetic ADE20K- or COCO-shaped data set (train + validation) for demos and tests");
        command.Arguments.Add(kind);
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { images, classes, size, seed }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var options = new SyntheticOptions
            {
                Images = parse.GetValue(images),
                Classes = parse.GetValue(classes),
                Size = parse.GetValue(size),
                Seed = parse.GetValue(seed),
            };
            var root = parse.GetValue(dir)!;
            switch (parse.GetValue(kind))
            {
                case "ade20k": SyntheticAde20kWriter.Write(root, options); break;
                case "coco": SyntheticCocoWriter.Write(root, options); break;
                case var other: throw new UserInputException($"make-synthetic: unknown kind '{other}' (expected ade20k or coco)");
            }
            Console.WriteLine($"{parse.GetValue(kind)}: wrote {options.Images} training and {options.ValidationImages} validation images with {options.Classes} classes to {Path.GetFullPath(root)}");
            return 0;
        });
        return command;
    }
}
