package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;

/** update's merge, features and the CRIU refusal as pure functions: nothing is run or written. */
class VerbsTableTest {
    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(String json) {
        return (Map<String, Object>) Json.parse(json.replace('\'', '"'), "test");
    }

    @Test
    void mergeFollowsRuncsRules() {
        Map<String, Object> old = obj("{'devices':[{'allow':false,'access':'rwm'}],'memory':{'limit':100,'swap':200},"
                + "'cpu':{'quota':50000,'period':100000,'cpus':'0-1'},'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':10}]}}");
        List<String> warnings = new ArrayList<>();
        Map<String, Object> m = ResourceUpdate.merge(old, obj("{'memory':{'limit':300,'kernel':5,'checkBeforeUpdate':true},"
                + "'cpu':{'period':200000,'quota':0,'cpus':''},'pids':{'limit':0},"
                + "'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':20},{'major':8,'minor':16,'rate':30}]},"
                + "'devices':[{'allow':false,'access':'rwm'}],'unified':{'memory.high':'1000'}}"), warnings::add);
        assertEquals(obj("{'limit':300,'swap':200}"), m.get("memory"));
        assertEquals(obj("{'quota':50000,'period':200000,'cpus':'0-1'}"), m.get("cpu"));
        assertFalse(m.containsKey("pids"), "pids.limit 0 is runc's 'not given'");
        assertEquals(obj("{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':20},{'major':8,'minor':16,'rate':30}]}"), m.get("blockIO"));
        assertEquals(old.get("devices"), m.get("devices"));
        assertEquals(obj("{'memory.high':'1000'}"), m.get("unified"));
        assertEquals(1, warnings.size());
        assertEquals(obj("{'limit':-1,'swap':-1}"), ResourceUpdate.merge(old, obj("{'memory':{'limit':-1}}"), w -> {}).get("memory"),
                "an unlimited memory limit makes swap unlimited (runc)");
        assertEquals(100L, ((Map<?, ?>) old.get("memory")).get("limit"), "the old resources are not changed");
        assertThrows(ContainerException.class, () -> ResourceUpdate.merge(old, obj("{'devices':[]  ,'cpu':5}"), w -> {}));
    }

    @Test
    void cgroupPathComesFromTheSavedDirectories() {
        Cgroups hybrid = CgroupSettingsTest.HYBRID;
        List<String> dirs = hybrid.dirs("/oci/web").stream().map(Object::toString).toList();
        assertEquals("/oci/web", ResourceUpdate.cgroupPath(hybrid, dirs));
        assertEquals(java.nio.file.Path.of("/sys/fs/cgroup/memory/oci/web"), ResourceUpdate.dirOf(hybrid, dirs, "memory"));
        assertEquals(java.nio.file.Path.of("/sys/fs/cgroup/unified/oci/web"), ResourceUpdate.dirOf(hybrid, dirs, "hugetlb"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void featuresListWhatTheRuntimeImplements() throws Exception {
        Map<String, Object> f = obj(Json.writePretty(Features.tree("5.10.0-28-amd64")));
        assertEquals("1.0.0", f.get("ociVersionMin"));
        assertEquals(RuntimeSpec.VERSION, f.get("ociVersionMax"));
        for (Object hook : (List<Object>) f.get("hooks")) {
            Field field = RuntimeSpec.Hooks.class.getField((String) hook);
            assertEquals(List.class, field.getType());
        }
        for (Object o : (List<Object>) f.get("mountOptions")) {
            MountOptions.Parsed p = MountOptions.parse(List.of((String) o), "test");
            assertEquals("", p.data(), o + " is a flag, not passed to the filesystem");
        }
        assertFalse(((List<?>) f.get("mountOptions")).contains("tmpcopyup"), "refused options are not listed");
        Map<String, Object> linux = (Map<String, Object>) f.get("linux");
        assertEquals(new java.util.TreeSet<>(PlanBuilder.NAMESPACES.keySet()), new java.util.TreeSet<>((List<String>) linux.get("namespaces")));
        assertEquals(Capabilities.NAMES, linux.get("capabilities"));
        Map<String, Object> seccomp = (Map<String, Object>) linux.get("seccomp");
        for (Object a : (List<Object>) seccomp.get("actions")) Seccomp.action((String) a, 1, "test");
        assertFalse(((List<?>) seccomp.get("actions")).contains("SCMP_ACT_NOTIFY"));
        for (Object op : (List<Object>) seccomp.get("operators")) {
            RuntimeSpec.Seccomp s = new RuntimeSpec.Seccomp();
            s.defaultAction = "SCMP_ACT_ALLOW";
            RuntimeSpec.Syscall call = new RuntimeSpec.Syscall();
            call.names = List.of("read");
            call.action = "SCMP_ACT_ERRNO";
            RuntimeSpec.SyscallArg arg = new RuntimeSpec.SyscallArg();
            arg.op = (String) op;
            arg.value = 1;
            arg.valueTwo = 1L;
            call.args = List.of(arg);
            s.syscalls = List.of(call);
            Seccomp.compile(s, Seccomp.Arch.X86_64);
        }
        for (Object a : (List<Object>) seccomp.get("archs")) assertTrue(Seccomp.Arch.named((String) a) != null, a.toString());
        assertEquals(List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), seccomp.get("knownFlags"));
        assertEquals(List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"),
                seccomp.get("supportedFlags"), "WAIT_KILLABLE_RECV came with Linux 5.19");
        assertEquals(obj("{'v1':true,'v2':true,'systemd':false,'systemdUser':false,'rdma':false}"), linux.get("cgroup"));
        assertEquals(obj("{'enabled':false}"), linux.get("apparmor"));
        assertEquals(obj("{'enabled':false}"), linux.get("selinux"));
    }

    @Test
    void criuCheckOutputToItsReason() {
        String out = "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
                + "Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n"
                + "Error (criu/crtools.c:260): Could not initialize kernel features detection.";
        assertEquals("vdso: Unexpected rt vDSO area bounds ... Could not initialize kernel features detection.", Criu.summary(out, 1));
        assertEquals("exit status 1", Criu.summary("", 1));
    }
}
