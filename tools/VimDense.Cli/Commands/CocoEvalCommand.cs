using System.CommandLine;
using Newtonsoft.Json;
using VimDense.Datasets.Evaluation;

namespace VimDense.Cli.Commands;

/// <summary>`vimdense cocoeval`: COCO box or mask AP of a results file, printed exactly as pycocotools does.</summary>
public sealed class CocoEvalCommand : ICliCommand
{
    public Command Build()
    {
        var gt = new Option<string>("--gt") { Description = "COCO instances JSON (ground truth)", Required = true };
        var dt = new Option<string>("--dt") { Description = "COCO results JSON (list of detections)", Required = true };
        var iouType = IouTypeOption();
        var json = new Option<bool>("--json") { Description = "Print {\"stats\": [12], \"per_category\": {...}} as JSON" };
        var command = new Command("cocoeval", "COCO evaluation (bbox or segm), identical to pycocotools' COCOeval");
        foreach (var o in new Option[] { gt, dt, iouType, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var type = ParseIouType(parse.GetValue(iouType)!);
            var groundTruth = CocoGroundTruth.Load(parse.GetValue(gt)!, includeSegmentation: type == CocoIouType.Segm);
            var results = CocoResults.Load(parse.GetValue(dt)!, groundTruth);
            Console.Error.WriteLine($"cocoeval: {groundTruth.Images.Count} images, {groundTruth.Annotations.Count} annotations, {results.Count} results");
            var result = CocoEvaluator.Run(groundTruth, results, type);
            if (parse.GetValue(json)) Console.Out.WriteLine(result.ToJson().ToString(Formatting.Indented));
            else foreach (var line in result.SummaryLines) Console.Out.WriteLine(line);
            return 0;
        });
        return command;
    }

    internal static Option<string> IouTypeOption()
    {
        var option = new Option<string>("--iou-type") { Description = "bbox or segm", DefaultValueFactory = _ => "bbox" };
        option.AcceptOnlyFromAmong("bbox", "segm");
        return option;
    }

    internal static CocoIouType ParseIouType(string value) => value switch
    {
        "bbox" => CocoIouType.Bbox,
        "segm" => CocoIouType.Segm,
        _ => throw new UserInputException($"--iou-type must be bbox or segm, got '{value}'"),
    };
}
