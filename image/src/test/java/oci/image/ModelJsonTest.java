package oci.image;

import static oci.image.ManifestIndexConfigTest.D1;
import static oci.image.ManifestIndexConfigTest.D2;
import static oci.image.ManifestIndexConfigTest.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ModelJson reads and writes what databind (Json, as configured before) did: the same records from
 * the same documents, the same bytes from the same values, the same pretty output of a document.
 */
class ModelJsonTest {
    static final String CONFIG = "{'created':'2024-01-01T00:00:00Z','author':'me','architecture':'arm','variant':'v7','os':'linux',"
            + "'os.version':'1','os.features':['f'],'unknown':{'deep':[1,{'x':null}]},"
            + "'config':{'User':'1000','ExposedPorts':{'80/tcp':{},'53/udp':{'a':[1,2.5,true]}},'Env':['A=1','B'],"
            + "'Entrypoint':['/bin/sh'],'Cmd':null,'Volumes':{'/data':{}},'WorkingDir':'','Labels':{'l':'v'},"
            + "'StopSignal':'SIGTERM','ArgsEscaped':false,'Healthcheck':{'Test':['NONE']}},"
            + "'rootfs':{'type':'layers','diff_ids':['" + D1 + "','" + D2 + "']},"
            + "'history':[{'created':'c','created_by':'x','author':'a','comment':'k'},{'created_by':'y','empty_layer':true}]}";

    static final String MANIFEST = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json','artifactType':'t',"
            + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" + D1 + "','size':'10'},"
            + "'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'" + D2 + "','size':20,"
            + "'urls':['http://x'],'annotations':{'k':'v'}}],"
            + "'subject':{'mediaType':'m','digest':'" + D2 + "','size':0},'annotations':{'a':'b'},'extra':[[]]}";

    static final String INDEX = "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':["
            + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" + D1 + "','size':1,"
            + "'platform':{'architecture':'amd64','os':'linux','os.version':'10','os.features':['sse4'],'variant':'v2'},"
            + "'annotations':{'org.opencontainers.image.ref.name':'x:1'}},"
            + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" + D2 + "','size':2}],'annotations':{'i':'j'}}";

    @Test
    void readsTheRecordsDatabindRead() {
        assertEquals(Json.read(b(CONFIG), ImageConfig.class, "c"), ImageConfig.parse(b(CONFIG), "c"));
        assertEquals(Json.read(b(MANIFEST), Manifest.class, "m"), Manifest.parse(b(MANIFEST), "m"));
        assertEquals(Json.read(b(INDEX), Index.class, "i"), Index.parse(b(INDEX), "i"));
    }

    @Test
    void writesTheBytesDatabindWrote() {
        Index index = Index.parse(b(INDEX), "i");
        Manifest manifest = Manifest.parse(b(MANIFEST), "m");
        // records with one-entry maps, so that both iterate them in the same order
        for (Object o : List.of(index, manifest, manifest.config(), index.manifests().get(0), index.manifests().get(0).platform(),
                ImageConfig.parse(b(CONFIG.replace(",'53/udp':{'a':[1,2.5,true]}", "")), "c"), Index.of(List.of()))) {
            assertEquals(new String(Json.write(o), StandardCharsets.UTF_8), new String(ModelJson.write(o), StandardCharsets.UTF_8));
            assertEquals(Json.pretty(o), ModelJson.pretty(o));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", "a");
        row.put("created", null);
        row.put("size", 5L);
        row.put("n", 2);
        row.put("list", List.of(Map.of(), List.of()));
        List<Object> rows = new ArrayList<>(List.of(row, row));
        assertEquals(Json.pretty(rows), ModelJson.pretty(rows));
        assertEquals(new String(Json.write(rows), StandardCharsets.UTF_8), new String(ModelJson.write(rows), StandardCharsets.UTF_8));
    }

    static List<String> documents() {
        return List.of(CONFIG, MANIFEST, INDEX, "[1,-2,3.25,1e3,12345678901,123456789012345678901234567890,'\\u00e9\\n\\\"',{},[],null,false]",
                "{'dup':1,'other':2,'dup':{'x':[]}}", "'just a string'", "7");
    }

    @ParameterizedTest
    @MethodSource("documents")
    void printsDocumentsAsDatabindsTreeDid(String doc) {
        assertEquals(Json.pretty(Json.read(b(doc), JsonNode.class, "d")), ModelJson.pretty(ModelJson.tree(b(doc), "d")));
    }

    @Test
    void refusesWhatDatabindRefused() {
        for (String bad : List.of("", "{oops", "null", "[1,", "{'config':{'Env':5},'rootfs':{'type':'layers'}}",
                "{'rootfs':{'type':'layers','diff_ids':['sha256:zz']}}", "{'rootfs':{'diff_ids':{}}}")) {
            ImageException expected = assertThrows(ImageException.class, () -> Json.read(b(bad), ImageConfig.class, "config C"));
            ImageException actual = assertThrows(ImageException.class, () -> ImageConfig.parse(b(bad), "config C"));
            assertEquals(expected.getMessage().replaceFirst(":.*", ""), actual.getMessage().replaceFirst(":.*", ""), bad);
            assertEquals(expected.getMessage().contains("malformed JSON"), actual.getMessage().contains("malformed JSON"),
                    bad + ": " + expected.getMessage() + " / " + actual.getMessage());
        }
    }
}
