using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

public class ModelComplexityTests
{
    [Fact]
    public void CountsConvolutionAndLinearMultiplyAdds()
    {
        // conv 3->4, 3x3, pad 1 on 8x8: 4*8*8 outputs x 3*3*3 = 6912; grouped conv 4->6 (2 groups),
        // 1x1, stride 2: 6*4*4 outputs x 2 = 192; linear 96->5: 5 x 96 = 480.
        using var model = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding: 1), nn.ReLU(), nn.Conv2d(4, 6, 1, stride: 2, groups: 2),
            nn.Flatten(), nn.Linear(96, 5));
        Assert.Equal(6912 + 192 + 480, ModelComplexity.CountMultiplyAdds(model, 1, 3, 8, 8));
        Assert.Equal(4 * 27 + 4 + 6 * 2 + 6 + 96 * 5 + 5, ModelComplexity.CountParameters(model));
        // Hooks are removed afterwards: a second count is the same, not doubled.
        Assert.Equal(6912 + 192 + 480, ModelComplexity.CountMultiplyAdds(model, 1, 3, 8, 8));
        Assert.True(model.training);
    }
}
