using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class CameraAnalyticsValidatorTests
{
    private const string Key = "EdgeVision:Cameras:0";

    private static readonly string[] ModelLabels = ["person", "car", "bicycle"];

    private static ZoneOptions Zone(string name, params float[][] points) => new() { Name = name, Points = [.. points] };

    [Fact]
    public void Validate_GoodConfiguration_ReturnsNoErrors()
    {
        var options = new CameraAnalyticsOptions
        {
            Labels = ["person", "car"],
            MinScore = 0.5f,
            Zones =
            [
                Zone("driveway", [0.1f, 0.5f], [0.6f, 0.5f], [0.6f, 1f], [0.1f, 1f]),
                new ZoneOptions { Name = "porch", Points = [[100, 100], [400, 100], [250, 300]], Labels = ["person"], MinArea = 2500 },
            ],
            Lines = [new LineOptions { Name = "gate", A = [0.5f, 1f], B = [0.5f, 0f], InDirection = LineOptions.RightToLeft }],
        };

        Assert.Empty(CameraAnalyticsValidator.Validate(options, Key, ModelLabels));
    }

    [Fact]
    public void Validate_ManyProblems_NamesEveryBadKeyAtOnce()
    {
        var options = new CameraAnalyticsOptions
        {
            Mode = "detect",
            Labels = ["person", "unicorn"],
            ZoneEnterFrames = 0,
            Zones =
            [
                Zone("porch", [0, 0], [1, 0]),
                Zone("bow-tie", [0, 0], [10, 10], [10, 0], [0, 10]),
                Zone("porch", [0, 0], [10, 0], [10, 10]),
                Zone("all", [0, 0], [10, 0], [10, 10]),
                Zone("Front Door", [0, 0], [10, 0], [10, 10]),
                new ZoneOptions { Name = "lawn", Normalized = true, Points = [[0, 0], [1.5f, 0], [1, 1]], Labels = ["dog"], MinScore = 2 },
                Zone("flat", [0, 0], [5, 5], [10, 10]),
                Zone("twice", [0, 0], [10, 0], [10, 0], [0, 10]),
            ],
            Lines =
            [
                new LineOptions { Name = "gate", A = [5, 5], B = [5, 5], InDirection = "inwards" },
                new LineOptions { Name = "events", A = [0, 0], B = [1] },
                new LineOptions { Name = "porch", A = [0, 0], B = [1, 1], MinArea = -1 },
            ],
        };

        var errors = CameraAnalyticsValidator.Validate(options, Key, ModelLabels);

        Assert.Equal(
            [
                "EdgeVision:Cameras:0:Mode: must be 'track' or 'detect-only', found 'detect'",
                "EdgeVision:Cameras:0:Labels:1: unknown label 'unicorn' (the model knows 3 labels, e.g. person, car, bicycle)",
                "EdgeVision:Cameras:0:ZoneEnterFrames: must be 1 to 1000, found 0",
                "EdgeVision:Cameras:0:Zones:0:Points: a zone needs at least 3 points, found 2",
                "EdgeVision:Cameras:0:Zones:1:Points: the outline crosses itself: edge 0 [0, 0]→[10, 10] meets edge 2 [10, 0]→[0, 10]",
                "EdgeVision:Cameras:0:Zones:2:Name: 'porch' is used by another zone or line of this camera",
                "EdgeVision:Cameras:0:Zones:3:Name: 'all' is a reserved topic word (all, status, stats, detections, events, captions, snapshot, set, detect, state)",
                "EdgeVision:Cameras:0:Zones:4:Name: 'Front Door' must be 1 to 64 characters of a-z, 0-9, '_' or '-' (it becomes part of MQTT topics)",
                "EdgeVision:Cameras:0:Zones:5:Points:1: [1.5, 0] is outside 0–1 while Normalized is true",
                "EdgeVision:Cameras:0:Zones:5:Labels:0: unknown label 'dog' (the model knows 3 labels, e.g. person, car, bicycle)",
                "EdgeVision:Cameras:0:Zones:5:MinScore: must be 0 to 1, found 2",
                "EdgeVision:Cameras:0:Zones:6:Points: all points are on one line; a zone needs an area",
                "EdgeVision:Cameras:0:Zones:7:Points:2: repeats the point before it [10, 0]",
                "EdgeVision:Cameras:0:Lines:0:B: the same point as A [5, 5]; a line needs a length",
                "EdgeVision:Cameras:0:Lines:0:InDirection: must be 'left-to-right' or 'right-to-left', found 'inwards'",
                "EdgeVision:Cameras:0:Lines:1:Name: 'events' is a reserved topic word (all, status, stats, detections, events, captions, snapshot, set, detect, state)",
                "EdgeVision:Cameras:0:Lines:1:B: a point is [x, y], found 1 values",
                "EdgeVision:Cameras:0:Lines:2:Name: 'porch' is used by another zone or line of this camera",
                "EdgeVision:Cameras:0:Lines:2:MinArea: must be 0 or more (up to 1 a fraction of the frame, above 1 square pixels), found -1",
            ],
            errors);
    }

    [Fact]
    public void Validate_LinesInDetectOnlyMode_SaysLinesNeedTracks()
    {
        var options = new CameraAnalyticsOptions
        {
            Mode = CameraAnalyticsOptions.DetectOnlyMode,
            Lines = [new LineOptions { Name = "gate", A = [0, 0], B = [10, 10] }],
        };

        var error = Assert.Single(CameraAnalyticsValidator.Validate(options, Key, ModelLabels));

        Assert.Equal("EdgeVision:Cameras:0:Lines: counting lines needs tracks; Mode is 'detect-only'", error);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("stats")]
    [InlineData("detections")]
    [InlineData("captions")]
    [InlineData("snapshot")]
    [InlineData("set")]
    public void Validate_ReservedZoneName_IsRejected(string name)
    {
        var options = new CameraAnalyticsOptions { Zones = [Zone(name, [0, 0], [10, 0], [10, 10])] };

        var error = Assert.Single(CameraAnalyticsValidator.Validate(options, Key, ModelLabels));

        Assert.StartsWith($"EdgeVision:Cameras:0:Zones:0:Name: '{name}' is a reserved topic word", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PixelPointsAboveOneWithoutFlag_AreAccepted()
    {
        var options = new CameraAnalyticsOptions { Zones = [Zone("yard", [0, 0], [1920, 0], [1920, 1080])] };

        Assert.Empty(CameraAnalyticsValidator.Validate(options, Key, ModelLabels));
    }

    [Fact]
    public void Validate_GoodLabelFilters_ReturnsNoErrors()
    {
        var options = new CameraAnalyticsOptions
        {
            Filters = new(StringComparer.Ordinal)
            {
                ["person"] = new LabelFilterOptions
                {
                    MinScore = 0.5f,
                    MinArea = 0.001f,
                    MaxArea = 0.5f,
                    MinRatio = 0.2f,
                    MaxRatio = 1.2f,
                    Masks = [new MaskOptions { Points = [[0.1f, 0.3f], [0.2f, 0.3f], [0.2f, 0.4f]] }],
                },
                ["car"] = new LabelFilterOptions { MinArea = 0.02f, MaxArea = 90000 },
            },
        };

        Assert.Empty(CameraAnalyticsValidator.Validate(options, Key, ModelLabels));
    }

    [Fact]
    public void Validate_BadLabelFilters_NamesEachProblemUnderItsKey()
    {
        var options = new CameraAnalyticsOptions
        {
            Filters = new(StringComparer.Ordinal)
            {
                ["unicorn"] = new LabelFilterOptions(),
                ["person"] = new LabelFilterOptions
                {
                    MinScore = 1.5f,
                    MinArea = 0.2f,
                    MaxArea = 0.1f,
                    MinRatio = 2f,
                    MaxRatio = 1f,
                    Masks = [new MaskOptions { Points = [[0f, 0f], [10f, 0f]] }],
                },
                ["car"] = new LabelFilterOptions { MinArea = float.NaN, MaxRatio = -1f },
            },
        };

        var errors = CameraAnalyticsValidator.Validate(options, Key, ModelLabels);

        Assert.Equal(
            [
                $"{Key}:Filters:unicorn: unknown label 'unicorn' (the model knows 3 labels, e.g. person, car, bicycle)",
                $"{Key}:Filters:person:MinScore: must be 0 to 1, found 1.5",
                $"{Key}:Filters:person:MaxArea: 0.1 is below MinArea 0.2; no box could pass",
                $"{Key}:Filters:person:MaxRatio: 1 is below MinRatio 2; no box could pass",
                $"{Key}:Filters:person:Masks:0:Points: a mask needs at least 3 points, found 2",
                $"{Key}:Filters:car:MinArea: must be 0 or more (up to 1 a fraction of the frame, above 1 square pixels), found NaN",
                $"{Key}:Filters:car:MaxRatio: must be 0 (no limit) or more (width ÷ height), found -1",
            ],
            errors);
    }
}
