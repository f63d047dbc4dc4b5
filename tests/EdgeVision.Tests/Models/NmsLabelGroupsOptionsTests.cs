using EdgeVision.Models;

namespace EdgeVision.Tests.Models;

public sealed class NmsLabelGroupsOptionsTests
{
    [Theory]
    [InlineData("nanodet-g-416-int8")]
    [InlineData("nanodet-g-416")]
    public void Detect_ParkedVanOnVtest_OneVehicleWithTheGroupTwoWithout(string model)
    {
        // vtest frame 500: the white van parked at the top right, which NanoDet-g scores as both a car and a truck.
        using var frame = VideoFrames.Vtest(500);
        var package = ModelCatalog.Default.Load(model);
        using var plain = OnnxDetector.Create(package, new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.35f });
        using var grouped = OnnxDetector.Create(package, new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.35f, NmsLabelGroups = [["car", "truck", "bus"]] });

        static Detection[] AtTheVan(Detection[] detections) =>
            detections.Where(d => d.Label is "car" or "truck" or "bus" && d.X1 > 620 && d.X2 < 740 && d.Y2 < 120).ToArray();
        var without = AtTheVan(plain.Detect(frame));
        var with = AtTheVan(grouped.Detect(frame));

        Assert.Equal(["car", "truck"], without.Select(d => d.Label).Order(StringComparer.Ordinal));
        var kept = Assert.Single(with);
        Assert.Equal(without.MaxBy(d => d.Score), kept);

        // Everything else on the frame is the same.
        Assert.Equal(plain.Detect(frame).Except(without), grouped.Detect(frame).Except(with));
    }

    private static readonly string[] Coco = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck"];

    [Fact]
    public void Validate_VehicleGroupOnACocoModel_IsValid() =>
        Assert.Empty(new DetectorOptions { NmsLabelGroups = [["car", "truck", "bus"]] }.Validate(Coco));

    [Fact]
    public void Validate_GroupWrittenForAnotherModel_IsIgnored() =>
        Assert.Empty(new DetectorOptions { NmsLabelGroups = [["car", "truck", "bus"]] }.Validate(["cow", "sheep", "horse"]));

    [Fact]
    public void Validate_BadGroups_NamesEachProblemUnderItsKey()
    {
        var options = new DetectorOptions { NmsLabelGroups = [["car", "trcuk"], ["bus"], ["truck", "car"]] };

        Assert.Equal(
            [
                "NmsLabelGroups:0:1: 'trcuk' is not a label of this model (its other labels are)",
                "NmsLabelGroups:1: a group needs at least 2 labels, found 1",
                "NmsLabelGroups:2:1: 'car' is already in group 0; a label can be in one group",
            ],
            options.Validate(Coco));
    }

    [Fact]
    public void Copy_Groups_AreNotSharedWithTheOriginal()
    {
        var options = new DetectorOptions { NmsLabelGroups = [["car", "truck"]] };

        var copy = options.Copy();
        copy.NmsLabelGroups[0][0] = "bus";
        copy.NmsLabelGroups.Add(["person", "bicycle"]);

        Assert.Equal([["car", "truck"]], options.NmsLabelGroups);
    }
}
