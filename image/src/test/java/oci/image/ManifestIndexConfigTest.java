package oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestIndexConfigTest {
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);
    static final String D3 = "sha256:" + "3".repeat(64);

    static byte[] b(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static String manifest(String mediaType, String layerType) {
        return "{'schemaVersion':2,'mediaType':'" + mediaType + "','config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'"
                + D1 + "','size':10},'layers':[{'mediaType':'" + layerType + "','digest':'" + D2 + "','size':20}]}";
    }

    @Test
    void parsesAnOciManifest() {
        Manifest m = Manifest.parse(b(manifest(MediaType.OCI_MANIFEST, MediaType.OCI_LAYER_GZIP)), "m");
        assertEquals(D1, m.config().digest().toString());
        assertEquals(1, m.layers().size());
        assertEquals(20, m.totalLayerSize());
        assertEquals(MediaType.Compression.GZIP, MediaType.layerCompression(m.layers().get(0).mediaType()));
    }

    @Test
    void parsesADockerSchema2Manifest() {
        Manifest m = Manifest.parse(b(manifest(MediaType.DOCKER_MANIFEST, MediaType.DOCKER_LAYER_GZIP)), "m");
        assertEquals(MediaType.DOCKER_MANIFEST, m.mediaType());
    }

    @Test
    void schema1IsRefusedByName() {
        ImageException e = assertThrows(ImageException.class, () -> Manifest.parse(
                b("{'schemaVersion':1,'name':'x','tag':'y','fsLayers':[]}"), "manifest of busybox"));
        assertTrue(e.getMessage().contains("Docker schema1"), e.getMessage());
        assertTrue(e.getMessage().startsWith("manifest of busybox: "), e.getMessage());
        ImageException e2 = assertThrows(ImageException.class,
                () -> MediaType.requireManifestOrIndex(MediaType.DOCKER_SCHEMA1_SIGNED, "pull x"));
        assertTrue(e2.getMessage().contains("schema1") && e2.getMessage().contains("prettyjws"), e2.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON             | {oops                                             | malformed JSON",
        "empty                | ''                                                | ",
        "JSON null            | null                                              | empty JSON document",
        "schemaVersion 3      | {'schemaVersion':3}                               | unsupported schemaVersion 3",
        "no config            | {'schemaVersion':2,'layers':[]}                   | no config descriptor",
        "index media type     | {'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json'} | not an image manifest",
        "bad layer digest     | {'schemaVersion':2,'config':{'mediaType':'x','digest':'sha256:1','size':1}} | invalid digest",
        "negative size        | {'schemaVersion':2,'config':{'mediaType':'x','digest':'sha256:1111111111111111111111111111111111111111111111111111111111111111','size':-1}} | negative size",
    })
    void malformedManifestsAreRefused(String name, String json, String why) {
        ImageException e = assertThrows(ImageException.class, () -> Manifest.parse(b(json), "manifest M"));
        assertTrue(e.getMessage().startsWith("manifest M: "), e.getMessage());
        if (why != null) assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void unknownLayerMediaTypeIsRefused() {
        ImageException e = assertThrows(ImageException.class,
                () -> Manifest.parse(b(manifest(MediaType.OCI_MANIFEST, "application/x-unknown")), "m"));
        assertTrue(e.getMessage().contains("unknown media type \"application/x-unknown\""), e.getMessage());
    }

    static String indexJson() {
        return "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':["
                + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" + D1 + "','size':1,'platform':{'os':'linux','architecture':'amd64'}},"
                + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" + D2 + "','size':1,'platform':{'os':'linux','architecture':'arm64','variant':'v8'}},"
                + "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" + D3 + "','size':1,'platform':{'os':'linux','architecture':'arm','variant':'v7'}}]}";
    }

    @Test
    void indexSelectsByNormalisedPlatform() {
        Index i = Index.parse(b(indexJson()), "index");
        assertEquals(D1, i.select(Platform.parse("linux/x86_64"), "img").digest().toString());
        assertEquals(D2, i.select(Platform.parse("linux/aarch64"), "img").digest().toString());
        assertEquals(D2, i.select(Platform.parse("linux/arm64"), "img").digest().toString());
        assertEquals(D3, i.select(Platform.parse("linux/armhf"), "img").digest().toString());
    }

    @Test
    void indexWithNoMatchListsWhatItOffers() {
        Index i = Index.parse(b(indexJson()), "index");
        ImageException e = assertThrows(ImageException.class, () -> i.select(Platform.parse("linux/s390x"), "image busybox"));
        assertEquals("image busybox: no image for platform linux/s390x; available: linux/amd64, linux/arm64/v8, linux/arm/v7"
                + " (choose one with --platform)", e.getMessage());
    }

    @Test
    void descriptorsWriteTheirSizeEvenWhenZero() {
        String json = new String(Json.write(Descriptor.of(MediaType.OCI_LAYER, Digest.sha256(new byte[0]), 0)), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"size\":0"), json);
        assertTrue(!json.contains("urls") && !json.contains("annotations") && !json.contains("platform"), json);
    }

    @Test
    void singleEntryWithoutPlatformIsTaken() {
        Index i = Index.of(List.of(Descriptor.of(MediaType.OCI_MANIFEST, Digest.parse(D1), 5)));
        assertEquals(D1, i.select(Platform.parse("linux/arm64"), "x").digest().toString());
    }

    @Test
    void malformedIndexIsRefused() {
        assertTrue(assertThrows(ImageException.class, () -> Index.parse(b("{'schemaVersion':2,'manifests':{}}"), "index.json"))
                .getMessage().startsWith("index.json: "));
        assertTrue(assertThrows(ImageException.class, () -> Index.parse(b("{'schemaVersion':1}"), "index.json"))
                .getMessage().contains("unsupported schemaVersion 1"));
        assertTrue(assertThrows(ImageException.class, () -> Index.parse(b("{'schemaVersion':2,'mediaType':'" + MediaType.OCI_MANIFEST + "'}"), "i"))
                .getMessage().contains("not an image index"));
    }

    @Test
    void configParsesFieldsAndDiffIds() {
        ImageConfig c = ImageConfig.parse(b("{'architecture':'arm64','variant':'v8','os':'linux','created':'2024-01-01T00:00:00Z',"
                + "'config':{'User':'1000:1000','Env':['A=1'],'Entrypoint':['/bin/sh'],'Cmd':['-c','x'],'WorkingDir':'/w',"
                + "'ExposedPorts':{'80/tcp':{}},'Volumes':{'/data':{}},'Labels':{'a':'b'},'StopSignal':'SIGTERM'},"
                + "'rootfs':{'type':'layers','diff_ids':['" + D1 + "','" + D2 + "']},"
                + "'history':[{'created_by':'x'},{'created_by':'y','empty_layer':true}]}"), "config C");
        assertEquals(List.of(Digest.parse(D1), Digest.parse(D2)), c.diffIds());
        assertEquals("1000:1000", c.config().user());
        assertEquals(List.of("A=1"), c.config().env());
        assertEquals("/w", c.config().workingDir());
        assertEquals("SIGTERM", c.config().stopSignal());
        assertTrue(c.config().volumes().containsKey("/data"));
        assertEquals("linux/arm64/v8", c.platform().toString());
        assertEquals(2, c.history().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no rootfs        | {'os':'linux'}                                                  | has no rootfs",
        "wrong rootfs     | {'rootfs':{'type':'other','diff_ids':[]}}                      | rootfs.type is \"other\"",
        "bad diff_id      | {'rootfs':{'type':'layers','diff_ids':['sha256:zz']}}          | invalid digest",
        "Env not a list   | {'config':{'Env':5},'rootfs':{'type':'layers'}}                 | ",
        "not JSON         | [1,                                                             | malformed JSON",
    })
    void malformedConfigsAreRefused(String name, String json, String why) {
        ImageException e = assertThrows(ImageException.class, () -> ImageConfig.parse(b(json), "config C"));
        assertTrue(e.getMessage().startsWith("config C: "), e.getMessage());
        if (why != null) assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
