namespace EdgeVision.ModelTools.TfJs.Mappers;

/// <summary>MaxPool and AvgPool (2-D).</summary>
internal sealed class PoolingMapper : ITfOpMapper
{
    public IReadOnlyList<string> Ops { get; } = ["MaxPool", "AvgPool"];

    public void Map(TfNode node, ConversionContext context)
    {
        var x = context.Value(node, 0);
        var nhwc = Layout.IsNhwc(node);
        if (nhwc)
        {
            x = Layout.ToNchw(context, node, x);
        }

        var attributes = new List<(string, object)>
        {
            ("kernel_shape", Layout.Spatial(node, node.GetInts("ksize"), 1)),
            ("strides", Layout.Spatial(node, node.GetInts("strides"), 1)),
            Layout.Padding(node),
        };
        if (node.Op == "AvgPool")
        {
            // TF averages over the valid pixels only, never over SAME padding.
            attributes.Add(("count_include_pad", 0L));
        }

        var y = context.Emit(node.Op == "MaxPool" ? "MaxPool" : "AveragePool", $"{node.Name}/pool", [x], attributes.ToArray());
        context.SetOutput(node, 0, nhwc ? Layout.ToNhwc(context, node, y) : y, context.BatchAxis(node, 0));
    }
}
