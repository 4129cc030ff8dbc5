using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// torchvision.ops.deform_conv2d on CPU float32 as one autograd node with a hand-written backward, as
/// torchvision's own <c>DeformConv2dFunction</c> (torchvision/csrc/ops/autograd/deform_conv2d_kernel.cpp) is:
/// the deformable columns (<see cref="DeformableIm2Col"/>) times the weight (<see cref="Sgemm"/>); backward
/// recomputes the columns for the weight gradient and scatters the columns' gradient into the input, offset and
/// mask gradients, exactly as torchvision's CPU kernel defines them.
/// </summary>
/// <remarks>
/// <para>Why not autograd over grid_sample (<see cref="DeformConvImplementation.GridSample"/>): that route writes the
/// sampled tensor [N, C, K*Ho, Wo] and its masked copy (each K times the input) to fresh memory, keeps both for
/// backward, and runs libtorch's grid_sample backward, which dominated its time.</para>
/// <para>Here an image is cut into bands of a few output rows, and a band goes through all its steps while its
/// columns [rows*Wo, C*K] stay in the core's cache: sample and multiply into the output rows (forward); multiply the
/// output gradient into the columns' gradient, scatter it while sampling the columns again, and multiply those into
/// the weight gradient (backward). Nothing of the columns' size is allocated or kept for backward, and the bilinear
/// weights of a sampling point are computed once for all its channels. Workers take whole images (or, with fewer images
/// than workers, fixed segments of one), so that every sum is formed in the same order whoever computes it (see
/// <see cref="Plan"/>). Inside, an image is channels-last, so that the channels of a sampling point are contiguous.</para>
/// </remarks>
internal sealed unsafe class DeformConv2dFunction : autograd.SingleTensorFunction<DeformConv2dFunction>
{
    private const string GeometryKey = "geometry", NeedsKey = "needs", GradientsKey = "gradients";

    /// <summary>Output positions per band: the band's columns (C*K floats each) then fit a core's cache.</summary>
    private const int BandPositions = 256;

    public override string Name => nameof(DeformConv2dFunction);

    /// <summary>Whether this kernel takes the call: CPU float32, at least one image, one image's buffers addressable with int.</summary>
    public static bool Supports(Tensor input, DeformConvGeometry g)
    {
        if (input.device_type != DeviceType.CPU || input.dtype != ScalarType.Float32 || g.Batch < 1) return false;
        long columns = (BandPositions + g.OutWidth) * g.InChannels * g.Taps;                // one band's [rows*Wo, C*K] at most
        long image = g.Height * g.Width * g.InChannels;
        long output = g.Positions * g.OutChannels;
        long fields = 2 * g.OffsetGroups * g.Taps * g.Positions;
        return Math.Max(Math.Max(columns, image), Math.Max(output, fields)) < int.MaxValue / sizeof(float);
    }

    /// <summary>The deformable convolution of <see cref="DeformConv.DeformConv2d"/> (arguments already checked).</summary>
    /// <returns>[N, Cout, Ho, Wo]</returns>
    public static Tensor Apply(Tensor input, Tensor offset, Tensor? mask, Tensor weight, Tensor? bias, DeformConvGeometry g) =>
        apply(input, offset, mask!, weight, bias!, g);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (input, offset, mask, weight, bias, g) = ((Tensor)vars[0], (Tensor)vars[1], vars[2] as Tensor, (Tensor)vars[3], vars[4] as Tensor, (DeformConvGeometry)vars[5]);
        ctx.save_for_backward(new List<Tensor> { input, offset, mask!, weight });
        ctx.save_data(GeometryKey, g);
        ctx.save_data(NeedsKey, new Needs(input.requires_grad, offset.requires_grad, mask?.requires_grad == true,
            weight.requires_grad, bias?.requires_grad == true));
        return Forward(input, offset, mask, weight, bias, g);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var g = (DeformConvGeometry)ctx.get_data(GeometryKey);
        var needs = (Needs)ctx.get_data(NeedsKey);
        var (gradInput, gradOffset, gradMask, gradWeight, gradBias) = Backward(gradOutput, saved[0], saved[1], saved[2], saved[3], g, needs);
        // One gradient per argument of apply (the geometry has none).
        var gradients = new List<Tensor> { gradInput!, gradOffset!, gradMask!, gradWeight!, gradBias!, null! };
        // libtorch copies each returned tensor right after this call returns; holding them here keeps a collection
        // on another thread from finalizing one in between (the hazard FinalizerPause describes for Scalars).
        ctx.save_data(GradientsKey, gradients);
        return gradients;
    }

    private readonly record struct Needs(bool Input, bool Offset, bool Mask, bool Weight, bool Bias);

    /// <summary>
    /// How a call is cut into work: units of (image, segment), each a run of bands of output rows. A unit is done by one
    /// worker from start to end, so whatever it accumulates (the input gradient of its image, its share of the weight
    /// gradient) is summed in the same order on every run: the results do not depend on which worker took which unit,
    /// and training repeats bit for bit. An image is one segment when there are at least as many images as workers;
    /// otherwise it is cut into enough segments to keep every worker busy.
    /// </summary>
    private readonly struct Plan
    {
        public readonly int Batch, Channels, Pixels, OutChannels, Positions, OutWidth, Groups, GroupOut, GroupWidth, ColumnWidth;
        public readonly int BandRows, Bands, Segments, Workers;

        public Plan(DeformConvGeometry g)
        {
            Batch = (int)g.Batch;
            Channels = (int)g.InChannels;
            Pixels = (int)(g.Height * g.Width);
            OutChannels = (int)g.OutChannels;
            Positions = (int)g.Positions;
            OutWidth = (int)g.OutWidth;
            Groups = (int)g.Groups;
            GroupOut = OutChannels / Groups;
            ColumnWidth = (int)(g.InChannels * g.Taps);
            GroupWidth = ColumnWidth / Groups;
            int outHeight = (int)g.OutHeight;
            BandRows = Math.Clamp((BandPositions + OutWidth - 1) / OutWidth, 1, outHeight);
            Bands = (outHeight + BandRows - 1) / BandRows;
            int threads = Math.Max(1, torch.get_num_threads());
            Segments = Batch >= threads ? 1 : Math.Min(Bands, (threads + Batch - 1) / Batch);
            Workers = Math.Min(threads, Units);
        }

        public int Units => Batch * Segments;

        public int BandPositionsMax => BandRows * OutWidth;

        /// <summary>The bands [first, end) of segment <paramref name="segment"/>.</summary>
        public (int First, int End) SegmentBands(int segment) => (Bands * segment / Segments, Bands * (segment + 1) / Segments);

        /// <summary>The output rows [start, end) of band <paramref name="band"/>.</summary>
        public (int Start, int End) BandRowRange(int band, long outHeight) => (band * BandRows, (int)Math.Min(outHeight, (band + 1L) * BandRows));
    }

    /// <returns>[N, Cout, Ho, Wo]</returns>
    private static Tensor Forward(Tensor input, Tensor offset, Tensor? mask, Tensor weight, Tensor? bias, DeformConvGeometry g)
    {
        using var scope = torch.NewDisposeScope();
        var plan = new Plan(g);
        var kernel = new DeformableIm2Col(g);
        var x = input.contiguous();                                                       // [N, C, H, W]
        var o = offset.contiguous();                                                      // [N, og*2K, Ho, Wo]
        var m = mask?.contiguous();                                                       // [N, og*K, Ho, Wo]
        var b = bias?.contiguous();                                                       // [Cout]
        var weightColumns = WeightRows(weight, g).view(g.Groups, plan.GroupOut, plan.GroupWidth)
            .transpose(1, 2).contiguous();                                                // [G, K*C/G, Cout/G]
        var output = torch.empty(new[] { g.Batch, g.OutChannels, g.OutHeight, g.OutWidth }, ScalarType.Float32); // [N, Cout, Ho, Wo]
        var images = torch.empty(plan.Workers, kernel.BufferPixels, g.InChannels);        // [workers, H*W + 1, C] channels last, last pixel zeros
        var columns = torch.empty(plan.Workers, plan.BandPositionsMax, plan.ColumnWidth); // [workers, band, C*K]
        var products = torch.empty(plan.Workers, plan.BandPositionsMax, plan.OutChannels); // [workers, band, Cout]
        var tables = torch.empty(plan.Workers, DeformableIm2Col.TableSize(plan.BandPositionsMax)); // [workers, sampling table]
        float* xAt = Data(x), offsetAt = Data(o), maskAt = m is null ? null : Data(m), biasAt = b is null ? null : Data(b);
        float* weightAt = Data(weightColumns), outputAt = Data(output), imagesAt = Data(images);
        float* columnsAt = Data(columns), productsAt = Data(products), tablesAt = Data(tables);
        long imageSize = (long)plan.Pixels * plan.Channels, bufferSize = kernel.BufferPixels * plan.Channels, tableSize = tables.shape[1];
        long offsetImage = o.shape[1] * g.Positions, maskImage = m is null ? 0 : m.shape[1] * g.Positions;

        ForEach(plan.Units, plan.Workers, (unit, worker) =>
        {
            int n = unit / plan.Segments;
            float* image = imagesAt + worker * bufferSize, table = tablesAt + worker * tableSize;
            ToChannelsLast(xAt + n * imageSize, image, plan);
            float* offsets = offsetAt + n * offsetImage, masks = maskAt is null ? null : maskAt + n * maskImage;
            float* target = outputAt + (long)n * plan.OutChannels * plan.Positions;      // [Cout, Ho*Wo]
            float* bandColumns = columnsAt + (long)worker * plan.BandPositionsMax * plan.ColumnWidth;
            float* product = productsAt + (long)worker * plan.BandPositionsMax * plan.OutChannels;
            var (firstBand, endBand) = plan.SegmentBands(unit % plan.Segments);
            for (int band = firstBand; band < endBand; band++)
            {
                var (start, end) = plan.BandRowRange(band, g.OutHeight);
                int first = start * plan.OutWidth, count = (end - start) * plan.OutWidth;
                kernel.Gather(image, offsets, masks, bandColumns, table, start, end);
                if (biasAt is not null)
                    for (int p = 0; p < count; p++)
                        new Span<float>(biasAt, plan.OutChannels).CopyTo(new Span<float>(product + (long)p * plan.OutChannels, plan.OutChannels));
                for (int group = 0; group < plan.Groups; group++)                        // [band, Cout/G] (+)= [band, K*C/G] x [K*C/G, Cout/G]
                    Sgemm.Multiply(bandColumns + group * plan.GroupWidth, plan.ColumnWidth,
                        weightAt + (long)group * plan.GroupWidth * plan.GroupOut, plan.GroupOut,
                        product + group * plan.GroupOut, plan.OutChannels, count, plan.GroupOut, plan.GroupWidth, accumulate: biasAt is not null);
                Transpose(product, plan.OutChannels, target + first, plan.Positions, count, plan.OutChannels); // [band, Cout] -> [Cout, band]
            }
        });
        return output.MoveToOuterDisposeScope();
    }

    private static (Tensor? Input, Tensor? Offset, Tensor? Mask, Tensor? Weight, Tensor? Bias) Backward(Tensor gradOutput,
        Tensor input, Tensor offset, Tensor? mask, Tensor weight, DeformConvGeometry g, Needs needs)
    {
        using var scope = torch.NewDisposeScope();
        var plan = new Plan(g);
        var kernel = new DeformableIm2Col(g);
        bool scatter = needs.Input || needs.Offset || needs.Mask;
        var gradient = gradOutput.contiguous();                                          // [N, Cout, Ho, Wo]
        var x = input.contiguous();                                                       // [N, C, H, W]
        var o = offset.contiguous();                                                      // [N, og*2K, Ho, Wo]
        var m = mask?.contiguous();                                                       // [N, og*K, Ho, Wo]
        var rows = WeightRows(weight, g);                                                 // [Cout, K*C/G]

        // One weight-gradient share per unit, summed in unit order at the end (see Plan).
        var gradRows = needs.Weight ? torch.empty(plan.Units, g.OutChannels, plan.GroupWidth) : null; // [units, Cout, K*C/G]
        var gradInput = needs.Input ? torch.empty(x.shape, ScalarType.Float32) : null;   // [N, C, H, W]
        var gradOffset = scatter ? torch.empty(o.shape, ScalarType.Float32) : null;      // [N, og*2K, Ho, Wo]
        var gradMask = scatter && m is not null ? torch.empty(m.shape, ScalarType.Float32) : null; // [N, og*K, Ho, Wo]
        var images = torch.empty(plan.Workers, kernel.BufferPixels, g.InChannels);        // [workers, H*W + 1, C], last pixel zeros
        // The input gradient, channels last (the last pixel a sink): a worker's own buffer when a unit is a whole image
        // (it writes gradInput itself), otherwise one buffer per unit, summed per image in segment order afterwards.
        var imageGradients = needs.Input
            ? torch.empty(plan.Segments == 1 ? plan.Workers : plan.Units, kernel.BufferPixels, g.InChannels) : null; // [workers or units, H*W + 1, C]
        var columns = torch.empty(plan.Workers, plan.BandPositionsMax, plan.ColumnWidth); // [workers, band, C*K]
        var gradColumns = torch.empty(plan.Workers, plan.BandPositionsMax, plan.ColumnWidth); // [workers, band, C*K]
        var gradientsT = torch.empty(plan.Workers, plan.BandPositionsMax, plan.OutChannels); // [workers, band, Cout]
        var tables = torch.empty(plan.Workers, DeformableIm2Col.TableSize(plan.BandPositionsMax)); // [workers, sampling table]
        float* gradientAt = Data(gradient), xAt = Data(x), offsetAt = Data(o), maskAt = m is null ? null : Data(m);
        float* rowsAt = Data(rows), imagesAt = Data(images), columnsAt = Data(columns), gradColumnsAt = Data(gradColumns);
        float* gradientsTAt = Data(gradientsT), tablesAt = Data(tables);
        float* gradRowsAt = gradRows is null ? null : Data(gradRows), gradInputAt = gradInput is null ? null : Data(gradInput);
        float* gradOffsetAt = gradOffset is null ? null : Data(gradOffset), gradMaskAt = gradMask is null ? null : Data(gradMask);
        float* imageGradientsAt = imageGradients is null ? null : Data(imageGradients);
        long imageSize = (long)plan.Pixels * plan.Channels, bufferSize = kernel.BufferPixels * plan.Channels, tableSize = tables.shape[1];
        long offsetImage = o.shape[1] * g.Positions, maskImage = m is null ? 0 : m.shape[1] * g.Positions;
        long gradRowsSize = (long)plan.OutChannels * plan.GroupWidth;

        ForEach(plan.Units, plan.Workers, (unit, worker) =>
        {
            int n = unit / plan.Segments;
            float* image = imagesAt + worker * bufferSize, table = tablesAt + worker * tableSize;
            ToChannelsLast(xAt + n * imageSize, image, plan);
            float* offsets = offsetAt + n * offsetImage, masks = maskAt is null ? null : maskAt + n * maskImage;
            float* gradients = gradientAt + (long)n * plan.OutChannels * plan.Positions;   // [Cout, Ho*Wo]
            float* gradOffsets = gradOffsetAt is null ? null : gradOffsetAt + n * offsetImage;
            float* gradMasks = gradMaskAt is null ? null : gradMaskAt + n * maskImage;
            float* imageGradient = imageGradientsAt is null ? null : imageGradientsAt + (plan.Segments == 1 ? worker : unit) * bufferSize;
            float* bandColumns = columnsAt + (long)worker * plan.BandPositionsMax * plan.ColumnWidth;       // [band, C*K]
            float* bandGradColumns = gradColumnsAt + (long)worker * plan.BandPositionsMax * plan.ColumnWidth; // [band, C*K]
            float* transposed = gradientsTAt + (long)worker * plan.BandPositionsMax * plan.OutChannels;    // [band, Cout]
            float* share = gradRowsAt is null ? null : gradRowsAt + unit * gradRowsSize;                   // [Cout, K*C/G]
            // Every buffer a unit accumulates into starts at zero here, cleared by its worker: a libtorch zeros() before
            // the loop would start libtorch's own threads, which keep spinning for a while and take the cores from ours.
            if (imageGradient is not null) new Span<float>(imageGradient, checked((int)bufferSize)).Clear();
            if (share is not null) new Span<float>(share, checked((int)gradRowsSize)).Clear();
            var (firstBand, endBand) = plan.SegmentBands(unit % plan.Segments);
            for (int band = firstBand; band < endBand; band++)
            {
                var (start, end) = plan.BandRowRange(band, g.OutHeight);
                int first = start * plan.OutWidth, count = (end - start) * plan.OutWidth;
                if (scatter)
                {
                    Transpose(gradients + first, plan.Positions, transposed, plan.OutChannels, plan.OutChannels, count); // [Cout, band] -> [band, Cout]
                    for (int group = 0; group < plan.Groups; group++)                    // [band, K*C/G] = [band, Cout/G] x [Cout/G, K*C/G]
                        Sgemm.Multiply(transposed + group * plan.GroupOut, plan.OutChannels,
                            rowsAt + (long)group * plan.GroupOut * plan.GroupWidth, plan.GroupWidth,
                            bandGradColumns + group * plan.GroupWidth, plan.ColumnWidth,
                            count, plan.GroupWidth, plan.GroupOut, accumulate: false);
                    kernel.Scatter(image, offsets, masks, bandGradColumns, bandColumns, imageGradient, gradOffsets, gradMasks, table, start, end);
                }
                else
                    kernel.Gather(image, offsets, masks, bandColumns, table, start, end);
                if (share is not null)
                    for (int group = 0; group < plan.Groups; group++)                    // [Cout/G, K*C/G] += [Cout/G, band] x [band, K*C/G]
                        Sgemm.Multiply(gradients + (long)group * plan.GroupOut * plan.Positions + first, plan.Positions,
                            bandColumns + group * plan.GroupWidth, plan.ColumnWidth,
                            share + (long)group * plan.GroupOut * plan.GroupWidth, plan.GroupWidth,
                            plan.GroupOut, plan.GroupWidth, count, accumulate: true);
            }
            if (plan.Segments == 1 && imageGradient is not null && gradInputAt is not null)
                SumToChannelsFirst(imageGradient, 1, bufferSize, gradInputAt + n * imageSize, plan.Channels, plan.Pixels);
        });
        if (plan.Segments > 1 && imageGradientsAt is not null && gradInputAt is not null)
            for (int n = 0; n < plan.Batch; n++)
                SumToChannelsFirst(imageGradientsAt + n * plan.Segments * bufferSize, plan.Segments, bufferSize,
                    gradInputAt + n * imageSize, plan.Channels, plan.Pixels);

        var gradWeight = gradRows?.sum(new long[] { 0 }).view(g.OutChannels, g.Taps, g.InChannels / g.Groups)
            .permute(0, 2, 1).reshape(weight.shape);                                      // [Cout, C/G, kh, kw]
        var gradBias = needs.Bias ? gradient.sum(new long[] { 0, 2, 3 }) : null;         // [Cout]
        return (gradInput?.MoveToOuterDisposeScope(), needs.Offset ? gradOffset!.MoveToOuterDisposeScope() : null,
            needs.Mask ? gradMask!.MoveToOuterDisposeScope() : null, gradWeight?.MoveToOuterDisposeScope(), gradBias?.MoveToOuterDisposeScope());
    }

    /// <summary>The weight as the columns' matrix: [Cout, C/G, kh, kw] -> [Cout, K*C/G] with tap-major rows.</summary>
    private static Tensor WeightRows(Tensor weight, DeformConvGeometry g) =>
        weight.reshape(g.OutChannels, g.InChannels / g.Groups, g.Taps).permute(0, 2, 1).contiguous()
            .view(g.OutChannels, g.Taps * (g.InChannels / g.Groups));

    /// <summary>target[j, i] = source[i, j] for i &lt; rows, j &lt; columns (row strides in elements), in 16 x 16 blocks.</summary>
    /// <summary>One image [C, H*W] into a worker's buffer channels last [H*W + 1, C], the extra pixel (where samples
    /// outside the image read) zeros.</summary>
    private static void ToChannelsLast(float* image, float* buffer, in Plan plan)
    {
        Transpose(image, plan.Pixels, buffer, plan.Channels, plan.Channels, plan.Pixels);
        new Span<float>(buffer + (long)plan.Pixels * plan.Channels, plan.Channels).Clear();
    }

    private static void Transpose(float* source, long sourceStride, float* target, long targetStride, int rows, int columns)
    {
        const int Block = 16;
        for (int i0 = 0; i0 < rows; i0 += Block)
            for (int j0 = 0; j0 < columns; j0 += Block)
            {
                int i1 = Math.Min(rows, i0 + Block), j1 = Math.Min(columns, j0 + Block);
                for (int i = i0; i < i1; i++)
                {
                    float* from = source + i * sourceStride;
                    for (int j = j0; j < j1; j++) target[j * targetStride + i] = from[j];
                }
            }
    }

    /// <summary>
    /// target[c, p] = buffers[0, p, c] + ... + buffers[count-1, p, c] (in that order; buffers <paramref name="stride"/>
    /// elements apart; the first is overwritten with the sum): [count, H*W (+ the sink), C] to [C, H*W].
    /// </summary>
    private static void SumToChannelsFirst(float* buffers, int count, long stride, float* target, int channels, int pixels)
    {
        long size = (long)pixels * channels;
        for (int i = 1; i < count; i++)
        {
            var sum = new Span<float>(buffers, checked((int)size));
            var add = new ReadOnlySpan<float>(buffers + i * stride, checked((int)size));
            int c = 0;
            for (; c <= sum.Length - Vector<float>.Count; c += Vector<float>.Count)
                (new Vector<float>(sum[c..]) + new Vector<float>(add[c..])).CopyTo(sum[c..]);
            for (; c < sum.Length; c++) sum[c] += add[c];
        }
        Transpose(buffers, channels, target, pixels, pixels, channels);
    }

    /// <summary>The first element of a contiguous CPU float32 tensor (it must stay alive while the pointer is used).</summary>
    private static float* Data(Tensor t)
    {
        // Tensor.bytes spans at most 2 GiB, so ask it for the first slice only: same first element.
        using var head = t.dim() > 1 && t.shape[0] > 1 ? t.narrow(0, 0, 1) : t.alias();
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(head.bytes));
    }

    /// <summary>
    /// Runs <paramref name="body"/>(item, worker) for items 0 .. count-1 on at most <paramref name="workers"/> workers
    /// that each take the next item as they finish (the machine may be shared: fixed shares would wait for the
    /// slowest). A worker index is never used by two items at once.
    /// </summary>
    private static void ForEach(int count, int workers, Action<int, int> body)
    {
        if (workers == 1 || count == 1)
        {
            for (int item = 0; item < count; item++) body(item, 0);
            return;
        }
        int next = -1;
        Parallel.For(0, Math.Min(workers, count), new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            for (int item; (item = Interlocked.Increment(ref next)) < count;)
                body(item, worker);
        });
    }
}
