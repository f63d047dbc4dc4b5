using EdgeVision.ModelTools.TfJs.Mappers;

namespace EdgeVision.ModelTools.TfJs;

/// <summary>The registry of op mappers: TF op name → mapper. Adding an op is adding one mapper here.</summary>
internal static class TfOpMappers
{
    private static readonly ITfOpMapper[] All =
    [
        new Conv2DMapper(), new FusedConv2DMapper(), new DepthwiseConvMapper(),
        new ActivationMapper(), new PreluMapper(), new IdentityMapper(), new UnaryMathMapper(),
        new BinaryElementwiseMapper(), new BiasAddMapper(), new CastMapper(),
        new PadMapper(), new PoolingMapper(), new ResizeMapper(),
        new ReshapeMapper(), new TransposeMapper(), new ConcatMapper(), new SplitMapper(), new SqueezeMapper(),
        new ReductionMapper(), new FloorDivisionMapper(), new ComparisonMapper(),
        new TopKMapper(), new GatherMapper(), new StridedSliceMapper(),
    ];

    private static readonly Dictionary<string, ITfOpMapper> ByOp = All
        .SelectMany(m => m.Ops.Select(op => (op, m)))
        .ToDictionary(p => p.op, p => p.m, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> SupportedOps => ByOp.Keys;

    public static ITfOpMapper? Find(string op) => ByOp.GetValueOrDefault(op);
}
