namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Constant-velocity Kalman filter of one box: the state is centre x, centre y, width and height, each with
/// its rate of change, in source pixels and pixels per second. Time steps are given in seconds, so a camera
/// whose detect rate changes (or that skips frames) still gets the right prediction.
/// </summary>
/// <remarks>
/// The motion matrix only couples each coordinate with its own velocity, the measurement picks the four
/// coordinates, and every noise matrix here is diagonal. The 8×8 covariance therefore stays block-diagonal
/// with one 2×2 block per coordinate, and the filter is run as four exact two-state filters: no matrix
/// inversion and no allocation per step.
///
/// Noise is proportional to the box's size s = √(width·height), as in SORT's successors, so that a
/// pedestrian far away and one near the camera are filtered alike. The geometric mean rather than the
/// height keeps wide objects (cars) and tall ones (people) on one footing.
/// </remarks>
internal sealed class BoxKalmanFilter
{
    /// <summary>
    /// Standard deviation of a detector box edge, as a fraction of the box size: NanoDet-class detectors move
    /// the edges of a still object by a few percent from frame to frame.
    /// </summary>
    public const double MeasurementStd = 0.05;

    /// <summary>
    /// Growth of the centre's position uncertainty beyond the constant-velocity prediction, in sizes per √s:
    /// covers gait sway and the jumps of a box whose object is partly hidden.
    /// </summary>
    public const double CentreProcessStd = 0.05;

    /// <summary>
    /// Random walk of the centre's velocity, in sizes per second per √s. A walker turns or stops over a second
    /// or two; larger values follow that sooner but let box jitter into the velocity: with edges jittering by
    /// 2 % of the size at 10 fps, 0.5 leaves about 0.05 sizes/s of noise on each velocity component (against
    /// about 0.07 at 1.0), which keeps still objects well under the stationary threshold.
    /// </summary>
    public const double CentreAccelerationStd = 0.5;

    /// <summary>Boxes change their width and height much more slowly than they move, so their noise is a quarter of the centre's.</summary>
    public const double SizeNoiseFactor = 0.25;

    /// <summary>
    /// Velocity uncertainty of a new track, in sizes per second: nothing is known yet, and people walk at
    /// about one to one and a half sizes per second.
    /// </summary>
    public const double InitialVelocityStd = 2.0;

    private Axis _x;
    private Axis _y;
    private Axis _width;
    private Axis _height;

    public BoxKalmanFilter(BoxF box)
    {
        var size = SizeOf(box);
        var positionVariance = Square(2 * MeasurementStd * size);
        var velocityVariance = Square(InitialVelocityStd * size);
        var sizeVelocityVariance = Square(InitialVelocityStd * SizeNoiseFactor * size);
        _x = new Axis((box.X1 + box.X2) / 2.0, positionVariance, velocityVariance);
        _y = new Axis((box.Y1 + box.Y2) / 2.0, positionVariance, velocityVariance);
        _width = new Axis(box.Width, positionVariance, sizeVelocityVariance);
        _height = new Axis(box.Height, positionVariance, sizeVelocityVariance);
    }

    /// <summary>The filtered box (after <see cref="Update"/>) or the predicted one (after <see cref="Predict"/>); sides at least one pixel.</summary>
    public BoxF Box
    {
        get
        {
            var halfWidth = Math.Max(_width.Value, 1.0) / 2;
            var halfHeight = Math.Max(_height.Value, 1.0) / 2;
            return new BoxF(
                (float)(_x.Value - halfWidth),
                (float)(_y.Value - halfHeight),
                (float)(_x.Value + halfWidth),
                (float)(_y.Value + halfHeight));
        }
    }

    /// <summary>Horizontal velocity of the centre, pixels per second.</summary>
    public float VelocityX => (float)_x.Rate;

    /// <summary>Vertical velocity of the centre, pixels per second.</summary>
    public float VelocityY => (float)_y.Rate;

    /// <summary>Variance of the centre's x position, square pixels: how sure the filter is of where the box is.</summary>
    public double CentreXVariance => _x.P00;

    /// <summary>Variance of the horizontal velocity, (pixels per second)².</summary>
    public double VelocityXVariance => _x.P11;

    /// <summary>Moves the state <paramref name="seconds"/> ahead and widens its uncertainty.</summary>
    /// <param name="holdSize">
    /// Stop the width and height from changing: used while a track coasts, since a box that was shrinking
    /// when its object went behind something has no reason to keep shrinking.
    /// </param>
    public void Predict(double seconds, bool holdSize = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        if (holdSize)
        {
            _width.Rate = 0;
            _height.Rate = 0;
        }

        var size = CurrentSize();
        var positionVariance = Square(CentreProcessStd * size) * seconds;
        var velocityVariance = Square(CentreAccelerationStd * size) * seconds;
        var sizeFactor = SizeNoiseFactor * SizeNoiseFactor;
        _x.Predict(seconds, positionVariance, velocityVariance);
        _y.Predict(seconds, positionVariance, velocityVariance);
        _width.Predict(seconds, positionVariance * sizeFactor, velocityVariance * sizeFactor);
        _height.Predict(seconds, positionVariance * sizeFactor, velocityVariance * sizeFactor);
    }

    /// <summary>Corrects the state with a detected box.</summary>
    public void Update(BoxF measured)
    {
        var variance = Square(MeasurementStd * SizeOf(measured));
        _x.Update((measured.X1 + measured.X2) / 2.0, variance);
        _y.Update((measured.Y1 + measured.Y2) / 2.0, variance);
        _width.Update(measured.Width, variance);
        _height.Update(measured.Height, variance);
    }

    private static double SizeOf(BoxF box) => Math.Sqrt(Math.Max(box.Width, 1f) * Math.Max(box.Height, 1f));

    private double CurrentSize() => Math.Sqrt(Math.Max(_width.Value, 1.0) * Math.Max(_height.Value, 1.0));

    private static double Square(double value) => value * value;

    /// <summary>One coordinate and its rate, with their 2×2 covariance [[P00, P01], [P01, P11]].</summary>
    private struct Axis(double value, double positionVariance, double rateVariance)
    {
        public double Value = value;
        public double Rate;
        public double P00 = positionVariance;
        public double P01;
        public double P11 = rateVariance;

        public void Predict(double dt, double positionNoise, double rateNoise)
        {
            Value += Rate * dt;
            P00 += (2 * dt * P01) + (dt * dt * P11) + positionNoise;
            P01 += dt * P11;
            P11 += rateNoise;
        }

        public void Update(double measured, double measurementVariance)
        {
            var innovationVariance = P00 + measurementVariance;
            var gainValue = P00 / innovationVariance;
            var gainRate = P01 / innovationVariance;
            var residual = measured - Value;
            Value += gainValue * residual;
            Rate += gainRate * residual;

            // Joseph-free form is enough here: the gains come from this very covariance, so it stays symmetric.
            P11 -= gainRate * P01;
            P01 -= gainValue * P01;
            P00 -= gainValue * P00;
        }
    }
}
