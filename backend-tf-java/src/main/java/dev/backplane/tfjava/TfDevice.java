package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.DeviceType;
import org.tensorflow.DeviceSpec;

/**
 * A TensorFlow device as Backplane names it.
 *
 * @param device the Backplane name, {@code tf-java:cpu:0} or {@code tf-java:gpu:N}
 * @param tfName TensorFlow's full name, e.g. {@code /job:localhost/replica:0/task:0/device:CPU:0}
 * @param memoryBytes the memory TensorFlow reports for the device
 */
record TfDevice(Device device, String tfName, long memoryBytes) {
  /** The placement scope for ops on this device. */
  DeviceSpec spec() {
    DeviceSpec.DeviceType type = device.type().equals(DeviceType.GPU)
        ? DeviceSpec.DeviceType.GPU
        : DeviceSpec.DeviceType.CPU;
    return DeviceSpec.newBuilder().deviceType(type).deviceIndex(device.index()).build();
  }

  /** The host CPU, where scalar bookkeeping (iteration count, step sizes, seeds) runs. */
  static DeviceSpec cpuSpec() {
    return DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
  }
}
