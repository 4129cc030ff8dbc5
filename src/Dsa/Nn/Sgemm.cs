using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dsa.Nn;

/// <summary>
/// Single-precision GEMM on row-major panels, C[m, n] (+)= A[m, k] B[k, n], for the small matrices of one band
/// of the deformable convolution (<see cref="DeformConv2dFunction"/>), called from its own worker threads.
/// </summary>
/// <remarks>
/// Why not libtorch's GEMM: called from several .NET workers at once, each call would start its own OpenMP team
/// (oversubscribing the cores), and calling it once per image instead needs a full image of columns in memory and a
/// barrier between sampling and multiplying. The matrices here are a few hundred rows by at most C*K columns, with B
/// (the weight, or one band of columns) small enough to stay in cache, so a register-tiled kernel without packing
/// reaches about the speed of one libtorch thread (measured: 100-120 GFLOP/s with 512-bit vectors, half with 256-bit).
/// Tiles: 8 rows x 48 (or 16) columns with <see cref="Vector512{T}"/> where it is hardware accelerated, otherwise
/// 6 rows x 2 (or 1) <see cref="Vector{T}"/>; single rows and scalar code finish the edges.
/// </remarks>
internal static unsafe class Sgemm
{
    /// <summary>C = A B, or C += A B when <paramref name="accumulate"/>; lda, ldb, ldc are the row strides in elements.</summary>
    public static void Multiply(float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int n, int k, bool accumulate) =>
        Multiply(a, lda, b, ldb, c, ldc, m, n, k, accumulate, Vector512.IsHardwareAccelerated);

    /// <summary><see cref="Multiply(float*, int, float*, int, float*, int, int, int, int, bool)"/> with the tile chosen
    /// by the caller (the tests run both on machines with 512-bit vectors).</summary>
    internal static void Multiply(float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int n, int k, bool accumulate, bool vector512)
    {
        if (vector512)
            Multiply512(a, lda, b, ldb, c, ldc, m, n, k, accumulate);
        else
            MultiplyVector(a, lda, b, ldb, c, ldc, m, n, k, accumulate);
    }

    private static void Multiply512(float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int n, int k, bool accumulate)
    {
        const int Width = 16;
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            int j = 0;
            for (; j + 3 * Width <= n; j += 3 * Width)
                Tile8x48(a + (long)i * lda, lda, b + j, ldb, c + (long)i * ldc + j, ldc, k, accumulate);
            for (; j + Width <= n; j += Width)
                Tile8x16(a + (long)i * lda, lda, b + j, ldb, c + (long)i * ldc + j, ldc, k, accumulate);
            for (; j < n; j++)
                for (int r = i; r < i + 8; r++)
                    Dot(a + (long)r * lda, b + j, ldb, c + (long)r * ldc + j, k, accumulate);
        }
        for (; i < m; i++)
        {
            int j = 0;
            for (; j + Width <= n; j += Width)
                Row16(a + (long)i * lda, b + j, ldb, c + (long)i * ldc + j, k, accumulate);
            for (; j < n; j++)
                Dot(a + (long)i * lda, b + j, ldb, c + (long)i * ldc + j, k, accumulate);
        }
    }

    private static void MultiplyVector(float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int n, int k, bool accumulate)
    {
        int width = Vector<float>.Count;
        int i = 0;
        for (; i + 6 <= m; i += 6)
        {
            int j = 0;
            for (; j + 2 * width <= n; j += 2 * width)
                Tile6x2(a + (long)i * lda, lda, b + j, ldb, c + (long)i * ldc + j, ldc, k, accumulate);
            for (; j + width <= n; j += width)
                Tile6x1(a + (long)i * lda, lda, b + j, ldb, c + (long)i * ldc + j, ldc, k, accumulate);
            for (; j < n; j++)
                for (int r = i; r < i + 6; r++)
                    Dot(a + (long)r * lda, b + j, ldb, c + (long)r * ldc + j, k, accumulate);
        }
        for (; i < m; i++)
        {
            int j = 0;
            for (; j + width <= n; j += width)
                RowVector(a + (long)i * lda, b + j, ldb, c + (long)i * ldc + j, k, accumulate);
            for (; j < n; j++)
                Dot(a + (long)i * lda, b + j, ldb, c + (long)i * ldc + j, k, accumulate);
        }
    }

    /// <summary>8 rows x 48 columns of C in 24 registers; per step of k, 3 loads of B and 8 broadcasts of A feed 24 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x48(float* a, int lda, float* b, int ldb, float* c, int ldc, int k, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        for (int q = 0; q < k; q++, b += ldb)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var b2 = Vector512.Load(b + 32);
            float* x = a + q;
            var s = Vector512.Create(x[0]);
            c00 = Vector512.FusedMultiplyAdd(s, b0, c00); c01 = Vector512.FusedMultiplyAdd(s, b1, c01); c02 = Vector512.FusedMultiplyAdd(s, b2, c02);
            s = Vector512.Create(x[lda]);
            c10 = Vector512.FusedMultiplyAdd(s, b0, c10); c11 = Vector512.FusedMultiplyAdd(s, b1, c11); c12 = Vector512.FusedMultiplyAdd(s, b2, c12);
            s = Vector512.Create(x[2 * lda]);
            c20 = Vector512.FusedMultiplyAdd(s, b0, c20); c21 = Vector512.FusedMultiplyAdd(s, b1, c21); c22 = Vector512.FusedMultiplyAdd(s, b2, c22);
            s = Vector512.Create(x[3 * lda]);
            c30 = Vector512.FusedMultiplyAdd(s, b0, c30); c31 = Vector512.FusedMultiplyAdd(s, b1, c31); c32 = Vector512.FusedMultiplyAdd(s, b2, c32);
            s = Vector512.Create(x[4 * lda]);
            c40 = Vector512.FusedMultiplyAdd(s, b0, c40); c41 = Vector512.FusedMultiplyAdd(s, b1, c41); c42 = Vector512.FusedMultiplyAdd(s, b2, c42);
            s = Vector512.Create(x[5 * lda]);
            c50 = Vector512.FusedMultiplyAdd(s, b0, c50); c51 = Vector512.FusedMultiplyAdd(s, b1, c51); c52 = Vector512.FusedMultiplyAdd(s, b2, c52);
            s = Vector512.Create(x[6 * lda]);
            c60 = Vector512.FusedMultiplyAdd(s, b0, c60); c61 = Vector512.FusedMultiplyAdd(s, b1, c61); c62 = Vector512.FusedMultiplyAdd(s, b2, c62);
            s = Vector512.Create(x[7 * lda]);
            c70 = Vector512.FusedMultiplyAdd(s, b0, c70); c71 = Vector512.FusedMultiplyAdd(s, b1, c71); c72 = Vector512.FusedMultiplyAdd(s, b2, c72);
        }
        Put48(c, c00, c01, c02, accumulate);
        Put48(c + ldc, c10, c11, c12, accumulate);
        Put48(c + 2 * ldc, c20, c21, c22, accumulate);
        Put48(c + 3 * ldc, c30, c31, c32, accumulate);
        Put48(c + 4 * ldc, c40, c41, c42, accumulate);
        Put48(c + 5 * ldc, c50, c51, c52, accumulate);
        Put48(c + 6 * ldc, c60, c61, c62, accumulate);
        Put48(c + 7 * ldc, c70, c71, c72, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put48(float* c, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
            v2 += Vector512.Load(c + 32);
        }
        v0.Store(c);
        v1.Store(c + 16);
        v2.Store(c + 32);
    }

    /// <summary>
    /// 8 rows x 16 columns: a narrow B (e.g. Cout = 16) still gets 8 independent FMA chains, where one row at a time
    /// would wait on each FMA's latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x16(float* a, int lda, float* b, int ldb, float* c, int ldc, int k, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int q = 0; q < k; q++, b += ldb)
        {
            var b0 = Vector512.Load(b);
            float* x = a + q;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(x[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(x[lda]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(x[2 * lda]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(x[3 * lda]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(x[4 * lda]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(x[5 * lda]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(x[6 * lda]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(x[7 * lda]), b0, c7);
        }
        Put16(c, c0, accumulate);
        Put16(c + ldc, c1, accumulate);
        Put16(c + 2 * ldc, c2, accumulate);
        Put16(c + 3 * ldc, c3, accumulate);
        Put16(c + 4 * ldc, c4, accumulate);
        Put16(c + 5 * ldc, c5, accumulate);
        Put16(c + 6 * ldc, c6, accumulate);
        Put16(c + 7 * ldc, c7, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put16(float* c, Vector512<float> v, bool accumulate)
    {
        if (accumulate) v += Vector512.Load(c);
        v.Store(c);
    }

    /// <summary>One row x 16 columns.</summary>
    private static void Row16(float* a, float* b, int ldb, float* c, int k, bool accumulate)
    {
        var sum = Vector512<float>.Zero;
        for (int q = 0; q < k; q++, b += ldb)
            sum = Vector512.FusedMultiplyAdd(Vector512.Create(a[q]), Vector512.Load(b), sum);
        if (accumulate) sum += Vector512.Load(c);
        sum.Store(c);
    }

    /// <summary>6 rows x 2 vectors of C in 12 registers (the classic 6x16 AVX2 tile where a vector holds 8 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x2(float* a, int lda, float* b, int ldb, float* c, int ldc, int k, bool accumulate)
    {
        int width = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < k; q++, b += ldb)
        {
            var b0 = Vector.Load(b);
            var b1 = Vector.Load(b + width);
            float* x = a + q;
            var s = new Vector<float>(x[0]);
            c00 = Vector.MultiplyAddEstimate(s, b0, c00); c01 = Vector.MultiplyAddEstimate(s, b1, c01);
            s = new Vector<float>(x[lda]);
            c10 = Vector.MultiplyAddEstimate(s, b0, c10); c11 = Vector.MultiplyAddEstimate(s, b1, c11);
            s = new Vector<float>(x[2 * lda]);
            c20 = Vector.MultiplyAddEstimate(s, b0, c20); c21 = Vector.MultiplyAddEstimate(s, b1, c21);
            s = new Vector<float>(x[3 * lda]);
            c30 = Vector.MultiplyAddEstimate(s, b0, c30); c31 = Vector.MultiplyAddEstimate(s, b1, c31);
            s = new Vector<float>(x[4 * lda]);
            c40 = Vector.MultiplyAddEstimate(s, b0, c40); c41 = Vector.MultiplyAddEstimate(s, b1, c41);
            s = new Vector<float>(x[5 * lda]);
            c50 = Vector.MultiplyAddEstimate(s, b0, c50); c51 = Vector.MultiplyAddEstimate(s, b1, c51);
        }
        Put2(c, c00, c01, accumulate);
        Put2(c + ldc, c10, c11, accumulate);
        Put2(c + 2 * ldc, c20, c21, accumulate);
        Put2(c + 3 * ldc, c30, c31, accumulate);
        Put2(c + 4 * ldc, c40, c41, accumulate);
        Put2(c + 5 * ldc, c50, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put2(float* c, Vector<float> v0, Vector<float> v1, bool accumulate)
    {
        int width = Vector<float>.Count;
        if (accumulate)
        {
            v0 += Vector.Load(c);
            v1 += Vector.Load(c + width);
        }
        Vector.Store(v0, c);
        Vector.Store(v1, c + width);
    }

    /// <summary>6 rows x 1 vector (the narrow edge of <see cref="Tile6x2"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x1(float* a, int lda, float* b, int ldb, float* c, int ldc, int k, bool accumulate)
    {
        Vector<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int q = 0; q < k; q++, b += ldb)
        {
            var b0 = Vector.Load(b);
            float* x = a + q;
            c0 = Vector.MultiplyAddEstimate(new Vector<float>(x[0]), b0, c0);
            c1 = Vector.MultiplyAddEstimate(new Vector<float>(x[lda]), b0, c1);
            c2 = Vector.MultiplyAddEstimate(new Vector<float>(x[2 * lda]), b0, c2);
            c3 = Vector.MultiplyAddEstimate(new Vector<float>(x[3 * lda]), b0, c3);
            c4 = Vector.MultiplyAddEstimate(new Vector<float>(x[4 * lda]), b0, c4);
            c5 = Vector.MultiplyAddEstimate(new Vector<float>(x[5 * lda]), b0, c5);
        }
        Put1(c, c0, accumulate);
        Put1(c + ldc, c1, accumulate);
        Put1(c + 2 * ldc, c2, accumulate);
        Put1(c + 3 * ldc, c3, accumulate);
        Put1(c + 4 * ldc, c4, accumulate);
        Put1(c + 5 * ldc, c5, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put1(float* c, Vector<float> v, bool accumulate)
    {
        if (accumulate) v += Vector.Load(c);
        Vector.Store(v, c);
    }

    /// <summary>One row x one vector.</summary>
    private static void RowVector(float* a, float* b, int ldb, float* c, int k, bool accumulate)
    {
        var sum = Vector<float>.Zero;
        for (int q = 0; q < k; q++, b += ldb)
            sum = Vector.MultiplyAddEstimate(new Vector<float>(a[q]), Vector.Load(b), sum);
        if (accumulate) sum += Vector.Load(c);
        Vector.Store(sum, c);
    }

    /// <summary>One element: a row of A times a column of B.</summary>
    private static void Dot(float* a, float* b, int ldb, float* c, int k, bool accumulate)
    {
        float sum = 0f;
        for (int q = 0; q < k; q++, b += ldb)
            sum += a[q] * *b;
        *c = accumulate ? *c + sum : sum;
    }
}
