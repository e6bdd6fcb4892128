package dev.backplane.metal;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * Real Metal detection through JNA ({@link MetalDevices} on a Mac); the only class that names
 * JNA, loaded only on macOS on Apple silicon. Calls {@code MTLCreateSystemDefaultDevice} from the
 * Metal framework, then, through the Objective-C runtime ({@code objc_msgSend}), the device's
 * {@code name} ({@code UTF8String}) and {@code recommendedMaxWorkingSetSize}, and releases it.
 */
final class MetalProbe implements MetalDevices {
  private static final String METAL = "/System/Library/Frameworks/Metal.framework/Metal";
  private static final String CORE_GRAPHICS =
      "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics";
  private static final String OBJC = "/usr/lib/libobjc.A.dylib";

  MetalProbe() {}

  @Override
  public List<MetalGpu> list() {
    // Command-line processes get no default Metal device unless CoreGraphics is loaded.
    NativeLibrary.getInstance(CORE_GRAPHICS);
    NativeLibrary metal = NativeLibrary.getInstance(METAL);
    Pointer device = metal.getFunction("MTLCreateSystemDefaultDevice")
        .invokePointer(new Object[0]);
    if (device == null) {
      return List.of();
    }
    NativeLibrary objc = NativeLibrary.getInstance(OBJC);
    Function send = objc.getFunction("objc_msgSend");
    Function selector = objc.getFunction("sel_registerName");
    try {
      Pointer name = send.invokePointer(new Object[] {device, sel(selector, "name")});
      Pointer utf8 = name == null ? null
          : send.invokePointer(new Object[] {name, sel(selector, "UTF8String")});
      String deviceName = utf8 == null ? "unnamed Metal device" : utf8.getString(0, "UTF-8");
      long workingSet = send.invokeLong(new Object[] {device,
          sel(selector, "recommendedMaxWorkingSetSize")});
      return List.of(new MetalGpu(deviceName, workingSet));
    } finally {
      send.invokeVoid(new Object[] {device, sel(selector, "release")});
    }
  }

  private static Pointer sel(Function selector, String name) {
    return selector.invokePointer(new Object[] {name});
  }
}
