namespace EdgeVision.ModelTools.TfJs;

/// <summary>Turns one kind of TF op into ONNX nodes. One small mapper per op family, registered in <see cref="TfOpMappers"/>.</summary>
internal interface ITfOpMapper
{
    /// <summary>The TF op names this mapper handles.</summary>
    IReadOnlyList<string> Ops { get; }

    void Map(TfNode node, ConversionContext context);
}
