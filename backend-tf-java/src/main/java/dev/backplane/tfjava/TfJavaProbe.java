package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.OpDef;

/**
 * Loads TensorFlow and reports its devices. The first class of this backend that touches
 * TensorFlow; only {@link TfJavaProvider#probe} and {@link TfJavaBackend#open} reach it.
 */
final class TfJavaProbe {
  private TfJavaProbe() {}

  /** Loads the native library, lists the devices and describes each. */
  static Probe probe(BackendContext context) {
    SessionSettings settings = SessionSettings.from(context);
    return new Probe(describe(listDevices(settings), settings));
  }

  /** The devices as {@link DeviceInfo}s, READY, with version, threads and oneDNN in the detail. */
  static List<DeviceInfo> describe(List<TfDevice> devices, SessionSettings settings) {
    String common = "TensorFlow " + TensorFlow.version() + " (TF Java " + tfJavaVersion() + "), "
        + settings.describe() + ", " + oneDnn();
    List<DeviceInfo> infos = new ArrayList<>();
    for (TfDevice d : devices) {
      String memory = d.memoryBytes() > 0 ? ", " + (d.memoryBytes() >> 20) + " MiB" : "";
      infos.add(new DeviceInfo(d.device(), DeviceStatus.READY,
          d.tfName() + memory + "; " + common));
    }
    return infos;
  }

  /**
   * TensorFlow's own CPU and GPU devices, GPUs first (placement prefers the first listed), as a
   * session with these settings sees them. Other device types (XLA, TPU) are not offered.
   */
  static List<TfDevice> listDevices(SessionSettings settings) {
    TensorFlow.version(); // loads the native library, or throws the linkage error
    List<TfDevice> devices = new ArrayList<>();
    byte[] config = settings.toConfig().toByteArray();
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_Graph graph = TF_Graph.newGraph();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      BytePointer bytes = new BytePointer(config);
      tensorflow.TF_SetConfig(options, bytes, config.length, status);
      status.throwExceptionIfNotOK();
      TF_Session session = TF_Session.newSession(graph, options, status);
      status.throwExceptionIfNotOK();
      TF_DeviceList list = tensorflow.TF_SessionListDevices(session, status);
      status.throwExceptionIfNotOK();
      try {
        for (int i = 0; i < tensorflow.TF_DeviceListCount(list); i++) {
          String name = tensorflow.TF_DeviceListName(list, i, status).getString();
          String type = tensorflow.TF_DeviceListType(list, i, status).getString();
          long memory = tensorflow.TF_DeviceListMemoryBytes(list, i, status);
          status.throwExceptionIfNotOK();
          DeviceType kind = switch (type) {
            case "CPU" -> DeviceType.CPU;
            case "GPU" -> DeviceType.GPU;
            default -> null;
          };
          if (kind != null) {
            devices.add(new TfDevice(Device.of(TfJavaProvider.ID, kind, indexOf(name)), name,
                memory));
          }
        }
      } finally {
        tensorflow.TF_DeleteDeviceList(list);
      }
    }
    return ordered(devices);
  }

  /** GPUs first, then the CPU, each by index: placement prefers the first usable device. */
  static List<TfDevice> ordered(List<TfDevice> devices) {
    List<TfDevice> sorted = new ArrayList<>(devices);
    sorted.sort(Comparator.comparing((TfDevice d) -> !d.device().type().equals(DeviceType.GPU))
        .thenComparing(d -> d.device().index()));
    return sorted;
  }

  private static int indexOf(String tfName) {
    return Integer.parseInt(tfName.substring(tfName.lastIndexOf(':') + 1));
  }

  /**
   * Whether oneDNN is on, as far as can be told from Java: TensorFlow reads
   * {@code TF_ENABLE_ONEDNN_OPTS}; unset, x86-64 Linux builds since TF 2.9 turn it on when they
   * contain oneDNN kernels (registered as {@code _Mkl*} ops). Fixed for the process, so computed
   * once (listing the op registry takes a while).
   */
  static String oneDnn() {
    return OneDnn.DESCRIPTION;
  }

  /** Lazy holder: initialised on first use, after the native library has loaded. */
  private static final class OneDnn {
    static final String DESCRIPTION = describe();

    private static String describe() {
      long kernels = 0;
      for (OpDef op : TensorFlow.registeredOpList().getOpList()) {
        if (op.getName().startsWith("_Mkl")) {
          kernels++;
        }
      }
      String env = System.getenv("TF_ENABLE_ONEDNN_OPTS");
      if (kernels == 0) {
        return "oneDNN not built into this TensorFlow library";
      }
      if (env != null) {
        String v = env.trim().toLowerCase(Locale.ROOT);
        boolean on = v.equals("1") || v.equals("true");
        return "oneDNN " + (on ? "on" : "off") + " (TF_ENABLE_ONEDNN_OPTS=" + env + ", " + kernels
            + " oneDNN ops built in)";
      }
      String os = System.getProperty("os.name", "");
      String arch = System.getProperty("os.arch", "");
      boolean defaultOn = os.toLowerCase(Locale.ROOT).contains("linux")
          && arch.matches("amd64|x86_64");
      return "oneDNN " + (defaultOn ? "on" : "off") + " (this build's default on " + os + " "
          + arch + ", " + kernels + " oneDNN ops built in; set TF_ENABLE_ONEDNN_OPTS=0 or 1 to"
          + " choose)";
    }
  }

  /** The TF Java artifact version, from its Maven metadata; {@code "unknown"} if absent. */
  static String tfJavaVersion() {
    String path = "/META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties";
    try (InputStream in = TensorFlow.class.getResourceAsStream(path)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
