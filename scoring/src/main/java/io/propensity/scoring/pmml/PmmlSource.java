package io.propensity.scoring.pmml;

import io.propensity.scoring.ModelLoadException;

import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Unmarshaller;
import org.dmg.pmml.Model;
import org.dmg.pmml.PMML;
import org.jpmml.model.JAXBUtil;
import org.jpmml.model.SAXUtil;
import org.jpmml.model.filters.ImportFilter;
import org.jpmml.model.visitors.LocatorTransformer;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;

import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.transform.sax.SAXSource;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads PMML documents from outside safely: no DOCTYPE, no DTD, no external or internal entities
 * (so no XXE and no entity-expansion bombs), a size limit, and messages that name the source and
 * the line.
 *
 * <p>The result keeps each element's source location ({@link org.dmg.pmml.PMMLObject#getLocator()},
 * detached from the parser by pmml-model's {@link LocatorTransformer}) so that refusals can name
 * the line. Converter-made PMML is often written on one line: the column then tells the place.
 */
public final class PmmlSource {

    /** Default size limit: far above any GBM we ship (a 200-tree depth-6 model is about 1 MB). */
    public static final long DEFAULT_MAX_BYTES = 128L * 1024 * 1024;

    private PmmlSource() {}

    /** Reads a PMML file with the default size limit. */
    public static PMML read(Path file) throws ModelLoadException {
        return read(file, DEFAULT_MAX_BYTES);
    }

    /** Reads a PMML file, refusing files larger than {@code maxBytes}. */
    public static PMML read(Path file, long maxBytes) throws ModelLoadException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(file + ": PMML file not found");
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read PMML file: " + e.getMessage(), e);
        }
        if (size > maxBytes) {
            throw tooLarge(file.toString(), maxBytes);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), maxBytes);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read PMML file: " + e.getMessage(), e);
        }
    }

    /** Reads PMML from a stream with the default size limit; {@code source} names it. */
    public static PMML read(InputStream in, String source) throws ModelLoadException {
        return read(in, source, DEFAULT_MAX_BYTES);
    }

    /** Reads PMML from a stream, refusing more than {@code maxBytes}; {@code source} names it. */
    public static PMML read(InputStream in, String source, long maxBytes)
            throws ModelLoadException {
        LimitedInputStream limited = new LimitedInputStream(in, maxBytes);
        PMML pmml;
        try {
            XMLReader reader = SAXUtil.createFilteredReader(safeReader(), new ImportFilter());
            Unmarshaller unmarshaller = JAXBUtil.getContext().createUnmarshaller();
            Object root = unmarshaller.unmarshal(new SAXSource(reader, new InputSource(limited)));
            if (!(root instanceof PMML)) {
                throw new ModelLoadException(
                        source + ": the root element is not PMML but " + root.getClass());
            }
            pmml = (PMML) root;
        } catch (JAXBException e) {
            if (limited.exceeded) {
                throw tooLarge(source, maxBytes);
            }
            throw notReadable(source, SAXUtil.getCause(e), e);
        } catch (SAXException | ParserConfigurationException e) {
            throw notReadable(source, e, e);
        }
        // detach the SAX locators (line and column stay) so the model holds no parser state
        pmml.accept(new LocatorTransformer());
        if (pmml.getModels().size() != 1) {
            throw new ModelLoadException(
                    source
                            + ": expected exactly one model in the PMML document, found "
                            + pmml.getModels().size());
        }
        return pmml;
    }

    /** The one model of a document read by this class. */
    public static Model model(PMML pmml) {
        return pmml.getModels().get(0);
    }

    /** "line L, column C" of an element, or "an unknown line" when it was not recorded. */
    public static String where(org.dmg.pmml.PMMLObject element) {
        Locator locator = element == null ? null : element.getLocator();
        if (locator == null || locator.getLineNumber() < 0) {
            return "an unknown line";
        }
        return "line " + locator.getLineNumber() + ", column " + locator.getColumnNumber();
    }

    private static XMLReader safeReader() throws ParserConfigurationException, SAXException {
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setValidating(false);
        factory.setXIncludeAware(false);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        // a PMML document never needs a DTD: refusing DOCTYPE rules out XXE and entity bombs
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newSAXParser().getXMLReader();
    }

    private static ModelLoadException notReadable(String source, Throwable cause, Exception e) {
        if (cause instanceof SAXParseException parse) {
            String message = parse.getMessage();
            if (message != null && message.contains("DOCTYPE")) {
                return new ModelLoadException(
                        source
                                + ": DOCTYPE declarations are refused in PMML (no DTDs, no"
                                + " entities), at line "
                                + parse.getLineNumber(),
                        e);
            }
            return new ModelLoadException(
                    source
                            + ": not well-formed PMML at line "
                            + parse.getLineNumber()
                            + ", column "
                            + parse.getColumnNumber()
                            + ": "
                            + message,
                    e);
        }
        String message = cause == null ? e.getMessage() : cause.getMessage();
        return new ModelLoadException(source + ": not a readable PMML document: " + message, e);
    }

    private static ModelLoadException tooLarge(String source, long maxBytes) {
        return new ModelLoadException(
                source + ": PMML document is larger than the limit of " + maxBytes + " bytes");
    }

    /** Stops reading once more than the limit has been read, and remembers that it did. */
    private static final class LimitedInputStream extends FilterInputStream {

        private final long limit;
        private long count;
        private boolean exceeded;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > limit) {
                exceeded = true;
                throw new IOException("more than " + limit + " bytes");
            }
        }
    }
}
