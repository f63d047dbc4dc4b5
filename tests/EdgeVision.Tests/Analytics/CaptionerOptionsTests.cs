using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

public sealed class CaptionerOptionsTests
{
    [Fact]
    public void Validate_Default_TemplateAndValid()
    {
        var options = new CaptionerOptions();

        Assert.Equal("template", options.Type);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_UnknownType_NamesTheTypeAndTheKnownOnes()
    {
        var options = new CaptionerOptions { Type = "vlm" };

        Assert.Equal(["Type: unknown captioner type 'vlm' (known: template)"], options.Validate());
    }

    [Fact]
    public void Validate_TypeInOtherCase_IsUnknown()
    {
        Assert.Equal(["Type: unknown captioner type 'Template' (known: template)"], new CaptionerOptions { Type = "Template" }.Validate());
    }

    [Fact]
    public void Validate_EmptyType_AsksForAKnownOne()
    {
        Assert.Equal(["Type: must be one of: template"], new CaptionerOptions { Type = " " }.Validate());
    }
}
