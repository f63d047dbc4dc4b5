using EdgeVision.EdgeAgent.Hosting;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using EdgeVision.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeVision.Tests.Agent;

public sealed class EdgeVisionOptionsValidatorTests
{
    private readonly EdgeVisionOptionsValidator _validator = new(new AgentPaths(RepositoryPaths.Root));

    [Theory]
    [InlineData(new[] { "CPU" }, new[] { "CPU" })]
    [InlineData(new[] { "CUDA", "CPU" }, new[] { "CUDA", "CPU" })]
    [InlineData(new string[0], new[] { "TensorRT", "CUDA", "CPU" })]
    public void Bind_ExecutionProviders_TheConfiguredListReplacesTheDefault(string[] configured, string[] expected)
    {
        // Through the agent's own registration: the binder alone would append "CPU" to the default three.
        var values = configured.Select((p, i) => new KeyValuePair<string, string?>($"EdgeVision:Detector:ExecutionProviders:{i}", p))
            .Append(new("EdgeVision:Cameras:0:Name", "sample")).Append(new("EdgeVision:Cameras:0:Source", "samples/vtest-clip.mp4"));
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new());
        builder.Configuration.AddConfiguration(configuration);
        builder.AddEdgeVisionPipeline(new AgentPaths(RepositoryPaths.Root));
        using var services = builder.Services.BuildServiceProvider();

        var bound = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeVisionOptions>>().Value;

        Assert.Equal(expected, bound.Detector.ExecutionProviders);
    }

    [Fact]
    public void Bind_LabelFiltersFromJson_ReachTheCameraAndValidate()
    {
        const string Json = """
            { "EdgeVision": { "Cameras": [ { "Name": "sample", "Source": "samples/vtest-clip.mp4", "Analytics": { "Filters": {
              "person": { "MinScore": 0.5, "MaxRatio": 1.2, "Masks": [ { "Points": [ [150, 175], [195, 175], [195, 222] ], "Normalized": false } ] },
              "car": { "MinArea": 0.01 } } } } ] } }
            """;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Json));
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new());
        builder.Configuration.AddJsonStream(stream);
        builder.AddEdgeVisionPipeline(new AgentPaths(RepositoryPaths.Root));
        using var services = builder.Services.BuildServiceProvider();

        var bound = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeVisionOptions>>().Value;

        var filters = Assert.Single(bound.Cameras).Analytics.Filters;
        Assert.Equal(["car", "person"], filters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.5f, filters["person"].MinScore);
        Assert.Equal(1.2f, filters["person"].MaxRatio);
        Assert.Equal([195f, 222f], Assert.Single(filters["person"].Masks).Points[2]);
        Assert.Equal(0.01f, filters["car"].MinArea);
        Assert.True(_validator.Validate(null, bound).Succeeded);
    }

    [Fact]
    public void Validate_DefaultConfigShape_Succeeds()
    {
        var options = new EdgeVisionOptions
        {
            Cameras = [new CameraOptions { Name = "sample", Source = "samples/vtest-clip.mp4", Loop = true }],
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryBadKeyAtOnce()
    {
        var options = new EdgeVisionOptions
        {
            Model = "no-such-model",
            Pipeline = new PipelineOptions { MaxBatchSize = 0, CaptureQueueCapacity = 0 },
            Cameras =
            [
                new CameraOptions { Name = "Front Door", Source = "samples/vtest-clip.mp4" },
                new CameraOptions { Name = "yard", Source = "missing/clip.mp4", DetectFps = 0, DecodeThreads = 65 },
                new CameraOptions { Name = "yard", Source = "rtsp://192.0.2.1/stream", ReconnectMaxDelay = TimeSpan.FromMilliseconds(1) },
            ],
        };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Collection(
            failures,
            f => Assert.StartsWith("EdgeVision:Model: model 'no-such-model' not found", f, StringComparison.Ordinal),
            f => Assert.Equal("EdgeVision:Pipeline:CaptureQueueCapacity: must be 1 to 64, found 0", f),
            f => Assert.Equal("EdgeVision:Pipeline:MaxBatchSize: must be 1 to 64, found 0", f),
            f => Assert.StartsWith("EdgeVision:Cameras:0:Name: 'Front Door' must be 1 to 64 characters", f, StringComparison.Ordinal),
            f => Assert.Equal($"EdgeVision:Cameras:1:Source: file not found: {Path.Combine(RepositoryPaths.Root, "missing", "clip.mp4")}", f),
            f => Assert.Equal("EdgeVision:Cameras:1:DetectFps: must be above 0 and at most 1000, found 0", f),
            f => Assert.Equal("EdgeVision:Cameras:1:DecodeThreads: must be 0 (FFmpeg's choice) to 64, found 65", f),
            f => Assert.Equal("EdgeVision:Cameras:2:Name: 'yard' is used by another camera", f),
            f => Assert.Equal("EdgeVision:Cameras:2:ReconnectMaxDelay: must be at least ReconnectInitialDelay", f));
    }

    [Fact]
    public void Validate_QueueAndDrainSettingsThePipelineWouldRefuse_RefusedAtStart()
    {
        var options = new EdgeVisionOptions
        {
            Pipeline = new PipelineOptions { InferredQueueCapacity = 0, DrainTimeout = TimeSpan.FromSeconds(-1) },
            Cameras = [new CameraOptions { Name = "sample", Source = "samples/vtest-clip.mp4" }],
        };

        var failures = _validator.Validate(null, options).Failures!;

        Assert.Equal(
            [
                "EdgeVision:Pipeline:InferredQueueCapacity: must be 1 to 1024, found 0",
                "EdgeVision:Pipeline:DrainTimeout: must be 0 to 00:10:00, found -00:00:01",
            ],
            failures);

        // The pipeline refuses the same options with the same words, so nothing that passed start-up fails later.
        var refused = Assert.Throws<ArgumentException>(() => new DetectionPipeline(new Tests.Pipeline.NoDetector(), options.Pipeline));
        Assert.Contains("InferredQueueCapacity: must be 1 to 1024, found 0; DrainTimeout: must be 0 to 00:10:00, found -00:00:01", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadMotionSettings_EveryProblemNamedWithItsKey()
    {
        var motion = new MotionOptions
        {
            FrameHeight = 600,
            Threshold = 0,
            KeepAliveInterval = TimeSpan.Zero,
            Regions = "sometimes",
            Masks =
            [
                new MaskOptions { Points = [[0f, 0f], [100f, 0f]] },
                new MaskOptions { Points = [[0f, 0f], [100f, 100f], [100f, 0f], [0f, 100f]] },
            ],
        };
        var outside = new MotionOptions
        {
            FrameHeight = 600,
            Masks = [new MaskOptions { Points = [[700f, 500f], [800f, 500f], [800f, 600f]] }],
        };
        var options = new EdgeVisionOptions
        {
            Cameras =
            [
                new CameraOptions { Name = "a", Source = "samples/vtest-clip.mp4", Motion = motion },
                new CameraOptions { Name = "b", Source = "samples/vtest-clip.mp4", Motion = outside },
            ],
        };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Equal(
            string.Join('\n', (string[])[
                "EdgeVision:Cameras:0:Motion:Threshold: must be 1 to 254 (a change of grey level), found 0",
                "EdgeVision:Cameras:0:Motion:KeepAliveInterval: must be 00:00:01 to 01:00:00, found 00:00:00",
                "EdgeVision:Cameras:0:Motion:Regions: must be 'auto' or 'off', found 'sometimes'",
                "EdgeVision:Cameras:0:Motion:Masks:0:Points: a mask needs at least 3 points, found 2",
                "EdgeVision:Cameras:0:Motion:Masks:1:Points: the outline crosses itself: edge 0 meets edge 2",
                "EdgeVision:Cameras:1:Motion:FrameHeight: 600 is above the frame's height (768×576)",
                "EdgeVision:Cameras:1:Motion:Masks:0:Points:1: [800, 500] is outside the 768×576 frame",
                "EdgeVision:Cameras:1:Motion:Masks:0:Points:2: [800, 600] is outside the 768×576 frame",
            ]),
            string.Join('\n', failures));
    }

    [Theory]
    [InlineData("detect")]
    [InlineData("status")]
    [InlineData("stats")]
    public void Validate_CameraNamedLikeATopicWord_IsRefused(string name)
    {
        var options = new EdgeVisionOptions { Cameras = [new CameraOptions { Name = name, Source = "samples/vtest-clip.mp4" }] };

        var failure = Assert.Single(_validator.Validate(null, options).Failures!);

        Assert.StartsWith($"EdgeVision:Cameras:0:Name: '{name}' is a reserved topic word (", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CpusTheProcessCannotUse_NamesTheKeyAndTheAvailableCpus()
    {
        var available = EdgeVision.Models.CpuAffinity.Available();
        var missing = available[^1] + 1;
        var options = new EdgeVisionOptions
        {
            Detector = new EdgeVision.Models.DetectorOptions { Placement = "manual", Cpus = [missing] },
            Cameras = [new CameraOptions { Name = "sample", Source = "samples/vtest-clip.mp4", CaptureCpus = [0, 0] }],
        };

        var failures = _validator.Validate(null, options).Failures!;

        Assert.Equal(
            [
                $"EdgeVision:Detector:Cpus: CPU {missing} is not available to this process (available: {string.Join(", ", available)})",
                "EdgeVision:Cameras:0:CaptureCpus: a CPU is listed twice",
            ],
            failures);
    }

    [Fact]
    public void Validate_PlacementKeysUnderAuto_SaysToChooseManual()
    {
        var options = new EdgeVisionOptions
        {
            Detector = new EdgeVision.Models.DetectorOptions { Cpus = [0], IntraOpThreads = Environment.ProcessorCount + 1 },
            Cameras = [new CameraOptions { Name = "sample", Source = "samples/vtest-clip.mp4", CaptureCpus = [0] }],
        };

        var failures = _validator.Validate(null, options).Failures!;

        Assert.Equal(
            [
                "EdgeVision:Detector:Cpus: chosen by Placement 'auto'; set EdgeVision:Detector:Placement to 'manual' to place by hand",
                "EdgeVision:Detector:IntraOpThreads: chosen by Placement 'auto'; set EdgeVision:Detector:Placement to 'manual' to place by hand",
                "EdgeVision:Cameras:0:CaptureCpus: chosen by Placement 'auto'; set EdgeVision:Detector:Placement to 'manual' to place by hand",
            ],
            failures);
    }

    [Fact]
    public void Validate_NoCameras_SaysToConfigureOne()
    {
        var failures = _validator.Validate(null, new EdgeVisionOptions()).Failures!;

        Assert.Equal(["EdgeVision:Cameras: configure at least one camera"], failures);
    }

    [Fact]
    public void Validate_UnknownExecutionProvider_NamesTheDetectorKey()
    {
        var options = new EdgeVisionOptions
        {
            Detector = new EdgeVision.Models.DetectorOptions { ExecutionProviders = ["OpenVINO"] },
            Cameras = [new CameraOptions { Name = "a", Source = "0" }],
        };

        var failure = Assert.Single(_validator.Validate(null, options).Failures!);

        Assert.StartsWith("EdgeVision:Detector:ExecutionProviders: unknown provider 'OpenVINO'", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://user:pw@10.0.0.2/live", CameraSourceKind.Stream)]
    [InlineData("http://10.0.0.2/mjpeg", CameraSourceKind.Stream)]
    [InlineData("0", CameraSourceKind.Device)]
    [InlineData("/dev/video2", CameraSourceKind.Device)]
    [InlineData("samples/vtest-clip.mp4", CameraSourceKind.File)]
    public void KindOf_Source_ReturnsKind(string source, CameraSourceKind expected) =>
        Assert.Equal(expected, CameraSource.KindOf(source));
}
